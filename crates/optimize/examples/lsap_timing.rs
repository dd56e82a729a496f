use optimize::{Matrix, Sense, solve_assignment};
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let mut s: u64 = 42;
    let data: Vec<f64> = (0..n * n)
        .map(|_| {
            s = s.wrapping_add(0x9E3779B97F4A7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect();
    let m = Matrix::from_row_major(n, n, data);
    let t = std::time::Instant::now();
    let a = solve_assignment(&m, Sense::Minimize).unwrap();
    println!("{n} total {} in {:?}", a.total, t.elapsed());
}
