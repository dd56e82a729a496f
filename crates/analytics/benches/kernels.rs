//! Criterion benches of the analytics kernels on generated in-memory data.
//! The end-to-end comparison with pandas and Polars is `scripts/bench-analytics.sh`.

use analytics::anomaly::{AnomalyConfig, detect_anomalies};
use analytics::csv_points::read_points;
use analytics::forecast::forecast;
use analytics::{Agg, Granularity, PeriodSeries, Points, rollup};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

/// xorshift64*: deterministic data without a random-number dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` random points: 500 KPIs, dates over 3 years from 2023-01-01, values around 1000.
fn random_points(n: usize) -> Points {
    let mut rng = Rng(42);
    let first_day = 19_358; // 2023-01-01
    Points {
        kpi_names: (0..500).map(|k| format!("kpi_{k:03}")).collect(),
        kpi: (0..n).map(|_| rng.below(500) as u32).collect(),
        day: (0..n).map(|_| first_day + rng.below(1096) as i32).collect(),
        value: (0..n)
            .map(|_| (rng.unit() * 100_000.0).round() / 100.0)
            .collect(),
    }
}

fn bench_rollup(c: &mut Criterion) {
    let mut group = c.benchmark_group("rollup");
    group.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let points = random_points(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(
            BenchmarkId::new("month_sum_mean_p90", n),
            &points,
            |b, p| {
                b.iter(|| {
                    rollup(
                        black_box(p),
                        Granularity::Month,
                        &[Agg::Sum, Agg::Mean, Agg::Percentile(90.0)],
                    )
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("week_sum_count", n), &points, |b, p| {
            b.iter(|| rollup(black_box(p), Granularity::Week, &[Agg::Sum, Agg::Count]))
        });
    }
    group.finish();
}

fn bench_csv(c: &mut Criterion) {
    let points = random_points(1_000_000);
    let mut text = String::from("kpi,date,value\n");
    for i in 0..points.len() {
        text.push_str(&format!(
            "{},{},{}\n",
            points.kpi_names[points.kpi[i] as usize],
            analytics::calendar::format_ymd(points.day[i]),
            points.value[i]
        ));
    }
    let mut group = c.benchmark_group("csv");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("read_points_1m", |b| {
        b.iter(|| read_points(black_box(text.as_bytes())).unwrap())
    });
    group.finish();
}

fn daily_series(days: usize) -> PeriodSeries {
    let mut rng = Rng(7);
    let values = (0..days)
        .map(|i| {
            Some(
                500.0
                    + 0.2 * i as f64
                    + [0.0, 10.0, 12.0, 8.0, 15.0, -40.0, -60.0][i % 7]
                    + 20.0 * rng.unit(),
            )
        })
        .collect();
    PeriodSeries {
        granularity: Granularity::Day,
        start: 19_358,
        values,
    }
}

fn bench_series(c: &mut Criterion) {
    let three_years = daily_series(1096);
    let mut group = c.benchmark_group("series");
    group.sample_size(20);
    group.bench_function("anomalies_daily_3y", |b| {
        b.iter(|| {
            detect_anomalies(
                black_box(&three_years),
                &AnomalyConfig::for_series(&three_years),
            )
        })
    });
    group.bench_function("forecast_daily_3y_h30", |b| {
        b.iter(|| forecast(black_box(&three_years), 30, 7).unwrap())
    });
    let monthly = PeriodSeries::from_rollup(
        &rollup(
            &Points {
                kpi_names: vec!["k".into()],
                kpi: vec![0; three_years.len()],
                day: (0..three_years.len() as i32).map(|d| 19_358 + d).collect(),
                value: three_years.values.iter().map(|v| v.unwrap()).collect(),
            },
            Granularity::Month,
            &[Agg::Sum],
        ),
        0,
        0,
    );
    group.bench_function("forecast_monthly_3y_h12", |b| {
        b.iter(|| forecast(black_box(&monthly), 12, 12).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench_rollup, bench_csv, bench_series);
criterion_main!(benches);
