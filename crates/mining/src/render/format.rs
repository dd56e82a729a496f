//! Number and duration formatting for English and Simplified Chinese.

/// Output language of maps and reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    #[value(name = "zh-CN")]
    ZhCn,
}

/// `12,345` in English; `1.23万` / `3.4亿` in Chinese, as Chinese readers count.
pub fn human_count(n: u64, lang: Lang) -> String {
    match lang {
        Lang::ZhCn if n >= 100_000_000 => format!("{:.2}亿", n as f64 / 1e8),
        Lang::ZhCn if n >= 10_000 => format!("{:.2}万", n as f64 / 1e4),
        _ => {
            let s = n.to_string();
            let mut out = String::new();
            for (i, ch) in s.chars().enumerate() {
                if i > 0 && (s.len() - i).is_multiple_of(3) && lang == Lang::En {
                    out.push(',');
                }
                out.push(ch);
            }
            out
        }
    }
}

/// A duration in the largest sensible unit: `45 s`, `12.5 min`, `3.2 h`, `4.1 d`.
pub fn human_duration(seconds: f64, lang: Lang) -> String {
    if !seconds.is_finite() {
        return "–".into();
    }
    let (v, en, zh) = if seconds < 60.0 {
        (seconds, "s", "秒")
    } else if seconds < 3600.0 {
        (seconds / 60.0, "min", "分钟")
    } else if seconds < 86_400.0 {
        (seconds / 3600.0, "h", "小时")
    } else {
        (seconds / 86_400.0, "d", "天")
    };
    let num = if v >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    };
    match lang {
        Lang::En => format!("{num} {en}"),
        Lang::ZhCn => format!("{num} {zh}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_durations() {
        assert_eq!(human_count(1_234_567, Lang::En), "1,234,567");
        assert_eq!(human_count(69_511, Lang::ZhCn), "6.95万");
        assert_eq!(human_count(999, Lang::ZhCn), "999");
        assert_eq!(human_duration(30.0, Lang::En), "30 s");
        assert_eq!(human_duration(5400.0, Lang::En), "1.5 h");
        assert_eq!(human_duration(172_800.0, Lang::ZhCn), "2 天");
    }
}
