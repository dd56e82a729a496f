//! The instance generator shared with `scripts/oracle_optimize.py`: both sides rebuild the same
//! matrices from a small spec, so golden files hold specs and the peer's answers only.
#![allow(dead_code)]

use optimize::{Matrix, Sense};
use serde::Deserialize;

/// splitmix64, bit-for-bit the same as the Python `SplitMix64`.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) from 53 random bits: exact in both languages.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// One golden assignment instance and scipy's answer.
#[derive(Debug, Deserialize)]
pub struct LsapSpec {
    pub seed: u64,
    pub rows: usize,
    pub cols: usize,
    pub kind: String,
    pub forbid_pct: u64,
    pub maximize: bool,
    pub infeasible: bool,
    pub total: Option<f64>,
}

impl LsapSpec {
    pub fn sense(&self) -> Sense {
        if self.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        }
    }

    /// The matrix, with forbidden cells set to the sense's marker.
    pub fn matrix(&self) -> Matrix {
        let mut g = SplitMix64::new(self.seed);
        let mut data = Vec::with_capacity(self.rows * self.cols);
        for _ in 0..self.rows * self.cols {
            if g.next_u64() % 100 < self.forbid_pct {
                data.push(self.sense().forbidden());
                continue;
            }
            data.push(match self.kind.as_str() {
                "int" => (g.next_u64() % 201) as f64 - 100.0,
                "ties" => (g.next_u64() % 3) as f64,
                "float" => g.unit() * 200.0 - 100.0,
                "wide" => g.unit() * 2.0e6 - 1.0e6,
                other => panic!("unknown kind {other}"),
            });
        }
        Matrix::from_row_major(self.rows, self.cols, data)
    }
}

/// Reads a golden file from `tests/golden/`, or from the directory in `OPTIMIZE_GOLDEN_DIR`
/// (the oracle script points it at freshly regenerated data).
pub fn golden_json(name: &str) -> serde_json::Value {
    let dir = std::env::var("OPTIMIZE_GOLDEN_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden").to_string());
    let path = format!("{dir}/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}

/// One golden auto-assign instance with HiGHS's LP bound and proven optimum.
#[derive(Debug, Deserialize)]
pub struct GapSpec {
    pub seed: u64,
    pub tasks: usize,
    pub people: usize,
    pub equal: bool,
    pub forbid_pct: u64,
    pub lp_bound: f64,
    pub optimum: f64,
}

impl GapSpec {
    /// The problem, bit-for-bit as `gap_instance` in the Python script builds it.
    pub fn problem(&self) -> optimize::capacitated::CapacitatedProblem {
        let mut g = SplitMix64::new(self.seed);
        let sizes = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0];
        let capacities = (0..self.people)
            .map(|_| (4.0 + 20.0 * g.unit()).round_ties_even())
            .collect();
        let estimates = (0..self.tasks)
            .map(|_| {
                if self.equal {
                    3.0
                } else {
                    sizes[(g.unit() * 6.0) as usize]
                }
            })
            .collect();
        let mut fit = Vec::with_capacity(self.tasks * self.people);
        for _ in 0..self.tasks * self.people {
            fit.push(if g.next_u64() % 100 < self.forbid_pct {
                f64::NEG_INFINITY
            } else {
                g.unit()
            });
        }
        optimize::capacitated::CapacitatedProblem {
            capacities,
            estimates,
            fit: Matrix::from_row_major(self.tasks, self.people, fit),
        }
    }
}
