//! Variants: distinct activity sequences with their case counts and durations.

use crate::log::EventLog;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantInfo {
    pub activities: Vec<String>,
    pub count: u64,
    pub mean_duration_seconds: f64,
    /// Share of all cases, 0..=1 (not in the documented schema's required fields).
    #[serde(default)]
    pub share: f64,
    /// Share of cases covered by this variant and all more frequent ones.
    #[serde(default)]
    pub cumulative_share: f64,
}

/// The `variants --json` schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variants {
    pub variants: Vec<VariantInfo>,
    #[serde(default)]
    pub total_variants: usize,
    #[serde(default)]
    pub total_cases: u64,
}

/// All variants, most frequent first (ties by activity sequence), or only the top `top_k`.
pub fn variants(log: &EventLog, top_k: Option<usize>) -> Variants {
    let (traces, of_case) = log.variant_index();
    let mut count = vec![0u64; traces.len()];
    let mut duration = vec![0i128; traces.len()];
    for (c, &v) in of_case.iter().enumerate() {
        count[v as usize] += 1;
        duration[v as usize] += i128::from(log.case_duration_ms(c));
    }
    let names = |t: &[u32]| {
        t.iter()
            .map(|&a| log.activity_name(a).to_owned())
            .collect::<Vec<_>>()
    };
    let mut list: Vec<VariantInfo> = traces
        .iter()
        .enumerate()
        .map(|(v, t)| VariantInfo {
            activities: names(t),
            count: count[v],
            mean_duration_seconds: duration[v] as f64 / count[v] as f64 / 1000.0,
            share: 0.0,
            cumulative_share: 0.0,
        })
        .collect();
    list.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then_with(|| x.activities.cmp(&y.activities))
    });
    let total = of_case.len() as u64;
    let mut covered = 0;
    for v in &mut list {
        covered += v.count;
        v.share = v.count as f64 / total as f64;
        v.cumulative_share = covered as f64 / total as f64;
    }
    let total_variants = list.len();
    if let Some(k) = top_k {
        list.truncate(k);
    }
    Variants {
        variants: list,
        total_variants,
        total_cases: total,
    }
}
