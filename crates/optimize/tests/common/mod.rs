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
