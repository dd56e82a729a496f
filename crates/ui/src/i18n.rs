//! The zh-CN and en message catalogues (`i18n/<lang>/<module>.toml`, joined by build.rs; flat
//! `section.key` names, each section owned by one file).
//! A missing key shows itself as the key, and a test fails when either catalogue lacks one.
use kernel::Locale;
use std::collections::HashMap;
use std::sync::OnceLock;

const EN: &str = include_str!(concat!(env!("OUT_DIR"), "/i18n-en.toml"));
const ZH: &str = include_str!(concat!(env!("OUT_DIR"), "/i18n-zh-CN.toml"));

type Catalog = HashMap<String, String>;

fn flatten(prefix: &str, v: &toml::Value, out: &mut Catalog) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        toml::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn parse(src: &str) -> Catalog {
    let v: toml::Value = toml::from_str(src).expect("i18n catalogue is valid TOML");
    let mut out = HashMap::new();
    flatten("", &v, &mut out);
    out
}

fn catalog(locale: Locale) -> &'static Catalog {
    static EN_C: OnceLock<Catalog> = OnceLock::new();
    static ZH_C: OnceLock<Catalog> = OnceLock::new();
    match locale {
        Locale::En => EN_C.get_or_init(|| parse(EN)),
        Locale::ZhCn => ZH_C.get_or_init(|| parse(ZH)),
    }
}

/// The text for `key` in `locale`; the key itself when missing (visible, never a panic).
pub fn t(locale: Locale, key: &str) -> &'static str {
    match catalog(locale).get(key) {
        Some(s) => s.as_str(),
        None => {
            // Leak once per missing key so callers keep a &'static str; bounded by the key set.
            static MISSING: OnceLock<std::sync::Mutex<HashMap<String, &'static str>>> =
                OnceLock::new();
            let m = MISSING.get_or_init(Default::default);
            let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
            m.entry(key.to_string())
                .or_insert_with(|| Box::leak(key.to_string().into_boxed_str()))
        }
    }
}

/// `t` with `{name}` placeholders filled.
pub fn tf(locale: Locale, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(locale, key).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

pub fn keys(locale: Locale) -> Vec<&'static str> {
    let mut k: Vec<_> = catalog(locale).keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys() {
        let en = keys(Locale::En);
        let zh = keys(Locale::ZhCn);
        let missing_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(missing_zh.is_empty(), "missing in zh-CN: {missing_zh:?}");
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(en.len() > 50);
    }

    #[test]
    fn lookups() {
        assert_eq!(t(Locale::ZhCn, "nav.tasks"), "任务");
        assert_eq!(t(Locale::En, "nav.tasks"), "Tasks");
        assert_eq!(t(Locale::En, "no.such.key"), "no.such.key");
    }
}
