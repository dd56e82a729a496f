//! Pinyin keys and the org-chart layout (no I/O).
use pinyin::ToPinyin;
use serde::Serialize;
use utoipa::ToSchema;

/// The two derived columns of a person row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKeys {
    /// Sorts Chinese names by their pinyin among Latin ones ("张三" as "zhangsan").
    pub sort_key: String,
    /// Everything a search may match, lowercase: the names, their full pinyin and initials, and
    /// the employee number ("张三" is found by "zhang", "zhangsan" and "zs").
    pub search_key: String,
}

/// Full pinyin (no tones, no spaces) and initials of the Chinese characters in `s`; other
/// characters are kept lowercase in the full form and start a new word for the initials.
fn pinyin_of(s: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    let mut at_word_start = true;
    for (ch, py) in s.chars().zip(s.to_pinyin()) {
        match py {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
                at_word_start = true;
            }
            None if ch.is_alphanumeric() => {
                full.extend(ch.to_lowercase());
                if at_word_start {
                    initials.extend(ch.to_lowercase());
                }
                at_word_start = false;
            }
            None => at_word_start = true,
        }
    }
    (full, initials)
}

pub fn name_keys(name: &str, name_zh: Option<&str>, employee_no: &str) -> NameKeys {
    let primary = name_zh.filter(|z| !z.trim().is_empty()).unwrap_or(name);
    let (sort_full, _) = pinyin_of(primary);
    let (name_full, name_initials) = pinyin_of(name);
    let mut parts = vec![name.to_lowercase(), name_full, name_initials];
    if let Some(z) = name_zh.filter(|z| !z.trim().is_empty()) {
        let (zh_full, zh_initials) = pinyin_of(z);
        parts.extend([z.to_lowercase(), zh_full, zh_initials]);
    }
    parts.push(employee_no.to_lowercase());
    parts.dedup();
    NameKeys {
        sort_key: sort_full,
        search_key: parts.join(" "),
    }
}

/// Languages are stored as one comma-separated text column.
pub fn join_languages(langs: &[String]) -> Option<String> {
    (!langs.is_empty()).then(|| langs.join(","))
}

pub fn split_languages(s: Option<&str>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

/// One box of the org chart.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChartNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Department name, or a person's name.
    pub label: String,
    /// Department head, or a person's position.
    pub detail: Option<String>,
    /// Where the box links to.
    pub href: String,
    pub depth: i64,
    /// Top-left corner in SVG units.
    pub x: i64,
    pub y: i64,
}

/// A connector from a parent box to a child box (an elbow: down, then right).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ChartEdge {
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Chart {
    pub nodes: Vec<ChartNode>,
    pub edges: Vec<ChartEdge>,
    pub width: i64,
    pub height: i64,
}

pub const ROW: i64 = 52;
pub const INDENT: i64 = 28;
pub const BOX_W: i64 = 260;
pub const BOX_H: i64 = 42;

/// An indented tree (like a file tree) rather than a wide pyramid: it grows downwards only, so
/// it stays readable on a 360 px phone screen. `nodes` must be depth-first with depths.
pub fn layout(mut nodes: Vec<ChartNode>) -> Chart {
    let mut pos: std::collections::HashMap<i64, (i64, i64)> = std::collections::HashMap::new();
    let mut edges = Vec::new();
    let mut width = BOX_W;
    for (i, n) in nodes.iter_mut().enumerate() {
        n.x = n.depth * INDENT;
        n.y = i as i64 * ROW;
        width = width.max(n.x + BOX_W);
        if let Some((px, py)) = n.parent_id.and_then(|p| pos.get(&p).copied()) {
            let sx = px + INDENT / 2;
            let sy = py + BOX_H;
            let ty = n.y + BOX_H / 2;
            edges.push(ChartEdge {
                path: format!("M{sx} {sy} V{ty} H{}", n.x),
            });
        }
        pos.insert(n.id, (n.x, n.y));
    }
    let height = (nodes.len() as i64 * ROW).max(ROW);
    Chart {
        nodes,
        edges,
        width: width + 2,
        height,
    }
}

/// Depth-first order of people by reporting line (roots: people without a manager, or whose
/// manager is not among `people`), siblings by sort key. Returns (index, depth) pairs.
pub fn reporting_order(people: &[(i64, Option<i64>, String)]) -> Vec<(usize, i64)> {
    let ids: std::collections::HashSet<i64> = people.iter().map(|p| p.0).collect();
    let mut children: std::collections::HashMap<Option<i64>, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, p) in people.iter().enumerate() {
        children
            .entry(p.1.filter(|m| ids.contains(m)))
            .or_default()
            .push(i);
    }
    for v in children.values_mut() {
        v.sort_by(|&a, &b| {
            people[a]
                .2
                .cmp(&people[b].2)
                .then(people[a].0.cmp(&people[b].0))
        });
    }
    let mut out = Vec::with_capacity(people.len());
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(usize, i64)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    while let Some((i, d)) = stack.pop() {
        if !seen.insert(i) {
            continue;
        }
        out.push((i, d));
        if let Some(kids) = children.get(&Some(people[i].0)) {
            stack.extend(kids.iter().rev().map(|&k| (k, d + 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_get_pinyin_and_initials() {
        let k = name_keys("Zhang San", Some("张三"), "E00001");
        assert_eq!(k.sort_key, "zhangsan");
        for q in ["zhang", "zhangsan", "zs", "张三", "e00001"] {
            assert!(k.search_key.contains(q), "{q} in {}", k.search_key);
        }
        let only_zh = name_keys("李四", None, "E2");
        assert_eq!(only_zh.sort_key, "lisi");
        assert!(only_zh.search_key.contains("ls"));
        let latin = name_keys("Ann O'Neil", None, "E3");
        assert_eq!(latin.sort_key, "annoneil");
        assert!(latin.search_key.contains("ann o'neil"));
    }

    #[test]
    fn pinyin_sort_puts_chinese_among_latin() {
        let mut names = vec![
            name_keys("Zhou", Some("周"), "1").sort_key,
            name_keys("Anna", None, "2").sort_key,
            name_keys("Li", Some("李"), "3").sort_key,
        ];
        names.sort();
        assert_eq!(names, ["anna", "li", "zhou"]);
    }

    #[test]
    fn languages_round_trip() {
        let l = vec!["中文".to_string(), "English".to_string()];
        assert_eq!(split_languages(join_languages(&l).as_deref()), l);
        assert!(split_languages(None).is_empty());
    }

    #[test]
    fn reporting_lines_are_depth_first_and_cycle_safe() {
        let people = vec![
            (1, None, "b".to_string()),
            (2, Some(1), "z".to_string()),
            (3, Some(1), "a".to_string()),
            (4, Some(3), "m".to_string()),
            (5, Some(6), "x".to_string()),
            (6, Some(5), "y".to_string()),
        ];
        let order: Vec<(i64, i64)> = reporting_order(&people)
            .into_iter()
            .map(|(i, d)| (people[i].0, d))
            .collect();
        assert_eq!(order, vec![(1, 0), (3, 1), (4, 2), (2, 1)]);
        let chart = layout(
            order
                .iter()
                .map(|&(id, depth)| ChartNode {
                    id,
                    parent_id: people.iter().find(|p| p.0 == id).unwrap().1,
                    label: String::new(),
                    detail: None,
                    href: String::new(),
                    depth,
                    x: 0,
                    y: 0,
                })
                .collect(),
        );
        assert_eq!(chart.edges.len(), 3);
        assert_eq!(chart.nodes[2].x, 2 * INDENT);
    }
}
