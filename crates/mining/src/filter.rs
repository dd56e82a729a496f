//! Case and event filters that produce a smaller [`EventLog`].

use crate::log::{AttrValue, AttributeTable, EventLog};

/// How a time range selects events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum TimeMode {
    /// Keep cases that lie entirely inside the range.
    #[default]
    Contained,
    /// Keep cases with at least one event inside the range.
    Intersecting,
    /// Keep only the events inside the range.
    Events,
}

/// A conjunction of filters; `None`/empty parts do not filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Epoch ms, inclusive.
    pub from: Option<i64>,
    /// Epoch ms, inclusive.
    pub to: Option<i64>,
    pub time_mode: TimeMode,
    /// Keep cases that contain at least one of these activities.
    pub with_activities: Vec<String>,
    /// Remove these activities' events.
    pub drop_activities: Vec<String>,
    /// Keep cases of the `k` most frequent variants.
    pub top_variants: Option<usize>,
    /// Case duration bounds in milliseconds, inclusive.
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    /// `(attribute, value)`: keep cases where the case attribute, or any event attribute, has
    /// this value (compared as text).
    pub attribute: Option<(String, String)>,
}

fn has_value(
    table: &AttributeTable,
    name: &str,
    value: &str,
    rows: impl IntoIterator<Item = usize>,
) -> bool {
    let Some(i) = table.columns.iter().position(|c| c.name == name) else {
        return false;
    };
    let text_id = table.text.lookup(value);
    rows.into_iter().any(|r| match table.value(i, r) {
        AttrValue::Text(id) => Some(id) == text_id,
        AttrValue::Missing => false,
        other => table.display(other).as_deref() == Some(value),
    })
}

impl Filter {
    /// Applies the filter. Case-level conditions are checked on the log as given; dropping
    /// activities and trimming to the time range (`TimeMode::Events`) happen last.
    pub fn apply(&self, log: &EventLog) -> EventLog {
        let lookup = |names: &[String]| -> Vec<bool> {
            let mut v = vec![false; log.activities.len()];
            for n in names {
                if let Some(a) = log.activities.lookup(n) {
                    v[a as usize] = true;
                }
            }
            v
        };
        let wanted = lookup(&self.with_activities);
        let dropped = lookup(&self.drop_activities);
        let top_variant_of_case: Option<Vec<bool>> = self.top_variants.map(|k| {
            let (traces, of_case) = log.variant_index();
            let mut count = vec![0u64; traces.len()];
            for &v in &of_case {
                count[v as usize] += 1;
            }
            let mut order: Vec<usize> = (0..traces.len()).collect();
            order.sort_by(|&x, &y| {
                count[y]
                    .cmp(&count[x])
                    .then_with(|| traces[x].cmp(traces[y]))
            });
            let mut keep = vec![false; traces.len()];
            for &v in order.iter().take(k) {
                keep[v] = true;
            }
            of_case.iter().map(|&v| keep[v as usize]).collect()
        });
        let in_range =
            |t: i64| self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|to| t <= to);
        let cases: Vec<u32> = (0..log.num_cases())
            .filter(|&c| {
                let r = log.case_range(c);
                if !self.with_activities.is_empty()
                    && !log.trace(c).iter().any(|&a| wanted[a as usize])
                {
                    return false;
                }
                if let Some(keep) = &top_variant_of_case
                    && !keep[c]
                {
                    return false;
                }
                let d = log.case_duration_ms(c);
                if self.min_duration_ms.is_some_and(|m| d < m)
                    || self.max_duration_ms.is_some_and(|m| d > m)
                {
                    return false;
                }
                if self.from.is_some() || self.to.is_some() {
                    let ts = &log.timestamp[r.clone()];
                    let ok = match self.time_mode {
                        TimeMode::Contained => ts.iter().all(|&t| in_range(t)),
                        TimeMode::Intersecting | TimeMode::Events => {
                            ts.iter().any(|&t| in_range(t))
                        }
                    };
                    if !ok {
                        return false;
                    }
                }
                if let Some((name, value)) = &self.attribute
                    && !has_value(&log.case_attributes, name, value, [c])
                    && !has_value(&log.event_attributes, name, value, r)
                {
                    return false;
                }
                true
            })
            .map(|c| c as u32)
            .collect();
        let trim = self.time_mode == TimeMode::Events;
        log.select(&cases, |e| {
            !dropped[log.activity[e] as usize] && (!trim || in_range(log.timestamp[e]))
        })
    }
}

/// Parses a duration such as `90`, `90s`, `15m`, `4h`, `2d` or `1w` into milliseconds.
pub fn parse_duration_ms(s: &str) -> anyhow::Result<i64> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "s"),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("bad duration {s:?}"))?;
    let secs = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        _ => anyhow::bail!("bad duration unit in {s:?} (use s, m, h, d or w)"),
    };
    Ok((n * secs * 1000.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogBuilder;

    fn log() -> EventLog {
        let mut b = LogBuilder::new();
        for (c, a, t) in [
            ("1", "a", 0),
            ("1", "b", 1000),
            ("2", "a", 0),
            ("2", "c", 5000),
            ("3", "a", 0),
            ("3", "b", 9000),
        ] {
            let row = b.push_event(c, a, t, None);
            b.set_event_text(row, "region", if c == "2" { "north" } else { "south" });
        }
        b.build()
    }

    #[test]
    fn filters_combine() {
        let l = log();
        let f = Filter {
            with_activities: vec!["b".into()],
            ..Default::default()
        };
        assert_eq!(f.apply(&l).num_cases(), 2);
        let f = Filter {
            top_variants: Some(1),
            ..Default::default()
        };
        let out = f.apply(&l);
        assert_eq!((out.num_cases(), out.case_id(0)), (2, "1"));
        let f = Filter {
            max_duration_ms: Some(5000),
            ..Default::default()
        };
        assert_eq!(f.apply(&l).num_cases(), 2);
        let f = Filter {
            attribute: Some(("region".into(), "north".into())),
            ..Default::default()
        };
        assert_eq!(f.apply(&l).case_id(0), "2");
        let f = Filter {
            drop_activities: vec!["a".into()],
            ..Default::default()
        };
        assert_eq!(f.apply(&l).num_events(), 3);
        let f = Filter {
            to: Some(1000),
            time_mode: TimeMode::Events,
            ..Default::default()
        };
        assert_eq!(f.apply(&l).num_events(), 4);
        let f = Filter {
            to: Some(1000),
            ..Default::default()
        };
        assert_eq!(f.apply(&l).num_cases(), 1);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("90").unwrap(), 90_000);
        assert_eq!(parse_duration_ms("2h").unwrap(), 7_200_000);
        assert_eq!(parse_duration_ms("1.5d").unwrap(), 129_600_000);
        assert!(parse_duration_ms("3 parsecs").is_err());
    }
}
