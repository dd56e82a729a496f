//! Times the readers and writers on generated people sheets: `cargo run --release -p sheets
//! --example sheets_bench [ROWS]`. Prints one markdown row per step (wall time; peak RSS of the
//! process so far, from /proc).
use std::time::Instant;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let header = [
        "工号",
        "姓名",
        "中文名",
        "部门",
        "职位",
        "上级工号",
        "邮箱",
        "手机",
        "入职日期",
    ];
    let rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            vec![
                format!("B{i}"),
                format!("Person {i}"),
                "张伟".into(),
                "OPS".into(),
                "专员".into(),
                if i > 0 {
                    format!("B{}", i / 2)
                } else {
                    String::new()
                },
                format!("p{i}@example.com"),
                format!("138{i:08}"),
                "2024-03-01".into(),
            ]
        })
        .collect();
    let limits = sheets::Limits {
        max_bytes: usize::MAX,
        max_rows: n + 1,
        ..Default::default()
    };
    println!("| step ({n} rows × 9 columns) | time | file | peak RSS so far |");
    println!("|---|---|---|---|");
    let step = |name: &str, t: Instant, bytes: usize| {
        println!(
            "| {name} | {:.0} ms | {:.1} MiB | {:.0} MiB |",
            t.elapsed().as_secs_f64() * 1000.0,
            bytes as f64 / 1048576.0,
            peak_rss_mib()
        );
    };
    let t = Instant::now();
    let csv = sheets::write_csv(&header, &rows);
    step("write CSV (UTF-8 BOM)", t, csv.len());
    let text = std::str::from_utf8(&csv[3..]).unwrap();
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    let t = Instant::now();
    let table = sheets::read(&gbk, &limits).unwrap();
    assert_eq!(table.rows.len(), n);
    step("read CSV (GBK, detected)", t, gbk.len());
    let t = Instant::now();
    let xlsx = sheets::write_xlsx("people", &header, &rows).unwrap();
    step("write XLSX", t, xlsx.len());
    let t = Instant::now();
    let table = sheets::read(&xlsx, &limits).unwrap();
    assert_eq!(table.rows.len(), n);
    step("read XLSX (guard + cells)", t, xlsx.len());
}
