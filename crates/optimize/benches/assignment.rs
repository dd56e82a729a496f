//! Kernel benchmarks: linear assignment on dense random matrices and capacitated auto-assign.
//! The comparison with scipy on the same inputs is `scripts/bench-optimize.sh`.

use criterion::{Criterion, criterion_group, criterion_main};
use optimize::capacitated::{CapacitatedProblem, solve_capacitated};
use optimize::{Matrix, Sense, solve_assignment};
use std::hint::black_box;

struct SplitMix64(u64);

impl SplitMix64 {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn random_matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut g = SplitMix64(seed);
    Matrix::from_row_major(rows, cols, (0..rows * cols).map(|_| g.unit()).collect())
}

fn auto_assign_problem(tasks: usize, people: usize, seed: u64) -> CapacitatedProblem {
    let mut g = SplitMix64(seed);
    let sizes = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0];
    CapacitatedProblem {
        capacities: (0..people)
            .map(|_| (16.0 + 24.0 * g.unit()).round())
            .collect(),
        estimates: (0..tasks)
            .map(|_| sizes[(g.unit() * 8.0) as usize])
            .collect(),
        fit: random_matrix(tasks, people, seed + 1),
    }
}

fn lsap(c: &mut Criterion) {
    let mut group = c.benchmark_group("lsap");
    group.sample_size(10);
    for (rows, cols) in [(100, 100), (300, 300), (200, 1000), (1000, 1000)] {
        let m = random_matrix(rows, cols, 42);
        group.bench_function(format!("{rows}x{cols}"), |b| {
            b.iter(|| solve_assignment(black_box(&m), Sense::Minimize).unwrap())
        });
    }
    group.finish();
}

fn capacitated(c: &mut Criterion) {
    let mut group = c.benchmark_group("capacitated");
    group.sample_size(10);
    for (tasks, people) in [(500, 60), (2000, 300)] {
        let p = auto_assign_problem(tasks, people, 7);
        group.bench_function(format!("{tasks}x{people}"), |b| {
            b.iter(|| solve_capacitated(black_box(&p)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, lsap, capacitated);
criterion_main!(benches);
