//! A readable process map as hand-written SVG: layered layout, edge width by flow.

use super::{Lang, esc, human_count, human_duration};
use crate::analysis::Dfg;
use std::collections::VecDeque;
use std::fmt::Write;

/// What edge and node labels show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MapLabels {
    /// Case flow counts.
    #[default]
    Frequency,
    /// Mean waiting time on each edge.
    Performance,
}

#[derive(Debug, Clone)]
pub struct MapOptions {
    pub labels: MapLabels,
    /// Fraction (0..=1) of edges to draw, most frequent first; edges from the start and to the end
    /// are always drawn.
    pub paths: f64,
    pub lang: Lang,
}

impl Default for MapOptions {
    fn default() -> Self {
        Self {
            labels: MapLabels::Frequency,
            paths: 1.0,
            lang: Lang::En,
        }
    }
}

const NODE_W: f64 = 210.0;
const NODE_H: f64 = 46.0;
const COL_GAP: f64 = 260.0;
const ROW_GAP: f64 = 120.0;
const MARGIN: f64 = 40.0;
// Room on the right for edges that loop back up.
const LOOP_ROOM: f64 = 160.0;

struct Edge {
    from: usize,
    to: usize,
    count: u64,
    mean_seconds: f64,
}

/// Renders the DFG as a top-to-bottom process map.
pub fn process_map_svg(dfg: &Dfg, options: &MapOptions) -> String {
    // Nodes: 0 = start, 1 = end, then activities.
    let mut names = vec!["●".to_owned(), "■".to_owned()];
    let mut counts = vec![0u64, 0];
    for a in &dfg.activities {
        names.push(a.name.clone());
        counts.push(a.count);
    }
    let id = |name: &str| names.iter().skip(2).position(|n| n == name).map(|i| i + 2);
    let mut edges: Vec<Edge> = Vec::new();
    let mut kept: Vec<&crate::analysis::DfgEdge> = dfg.edges.iter().collect();
    kept.sort_by_key(|e| std::cmp::Reverse(e.count));
    let keep_n = ((kept.len() as f64) * options.paths.clamp(0.0, 1.0)).ceil() as usize;
    for e in kept.into_iter().take(keep_n) {
        if let (Some(f), Some(t)) = (id(&e.source), id(&e.target)) {
            edges.push(Edge {
                from: f,
                to: t,
                count: e.count,
                mean_seconds: e.mean_seconds,
            });
        }
    }
    for s in &dfg.start_activities {
        if let Some(t) = id(&s.name) {
            counts[0] += s.count;
            edges.push(Edge {
                from: 0,
                to: t,
                count: s.count,
                mean_seconds: f64::NAN,
            });
        }
    }
    for s in &dfg.end_activities {
        if let Some(f) = id(&s.name) {
            counts[1] += s.count;
            edges.push(Edge {
                from: f,
                to: 1,
                count: s.count,
                mean_seconds: f64::NAN,
            });
        }
    }
    let n = names.len();
    let layer = layers(n, &edges);
    let order = order_in_layers(n, &layer, &edges, &counts);

    let max_layer = layer.iter().copied().max().unwrap_or(0);
    let widest = order.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let width = MARGIN * 2.0 + widest as f64 * COL_GAP + LOOP_ROOM;
    let height = MARGIN * 2.0 + (max_layer as f64 + 1.0) * ROW_GAP;
    let mut pos = vec![(0.0, 0.0); n];
    for (l, row) in order.iter().enumerate() {
        // Centre each layer so the main path runs down the middle.
        let offset = (widest - row.len()) as f64 * COL_GAP / 2.0;
        for (i, &v) in row.iter().enumerate() {
            pos[v] = (
                MARGIN + offset + i as f64 * COL_GAP + COL_GAP / 2.0,
                MARGIN + l as f64 * ROW_GAP + NODE_H / 2.0,
            );
        }
    }

    let max_flow = edges.iter().map(|e| e.count).max().unwrap_or(1).max(1) as f64;
    let max_count = counts.iter().skip(2).copied().max().unwrap_or(1).max(1) as f64;
    let max_wait = edges
        .iter()
        .map(|e| e.mean_seconds)
        .filter(|m| m.is_finite())
        .fold(0.0, f64::max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="Helvetica, Arial, 'Noto Sans CJK SC', sans-serif" font-size="13">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>
<rect width="100%" height="100%" fill="#ffffff"/>
"##
    );
    // Edges first so nodes sit on top of them.
    for e in &edges {
        let (x1, y1) = pos[e.from];
        let (x2, y2) = pos[e.to];
        let w = 1.0 + 7.0 * (e.count as f64 / max_flow);
        let colour = if options.labels == MapLabels::Performance
            && e.mean_seconds.is_finite()
            && max_wait > 0.0
        {
            heat(e.mean_seconds / max_wait)
        } else {
            "#6b7a8f".to_owned()
        };
        let (path, lx, ly) = if layer[e.to] > layer[e.from] {
            let (sy, ty) = (y1 + NODE_H / 2.0, y2 - NODE_H / 2.0 - 2.0);
            let dy = (ty - sy) / 2.0;
            (
                format!(
                    "M{x1:.1},{sy:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{ty:.1}",
                    sy + dy,
                    ty - dy
                ),
                (x1 + x2) / 2.0,
                (sy + ty) / 2.0,
            )
        } else if layer[e.to] == layer[e.from] && e.from != e.to {
            // Same layer: an arc below both nodes, deeper the further apart they are.
            let (sy, ty) = (y1 + NODE_H / 2.0, y2 + NODE_H / 2.0 + 2.0);
            let depth = 28.0 + 0.08 * (x2 - x1).abs();
            (
                format!(
                    "M{x1:.1},{sy:.1} C{x1:.1},{:.1} {x2:.1},{:.1} {x2:.1},{ty:.1}",
                    sy + depth,
                    ty + depth
                ),
                (x1 + x2) / 2.0,
                sy + depth * 0.75,
            )
        } else if e.from == e.to {
            let (x, y) = (x1 + NODE_W / 2.0, y1);
            (
                format!(
                    "M{x:.1},{:.1} C{:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}",
                    y - 10.0,
                    x + 50.0,
                    y - 30.0,
                    x + 50.0,
                    y + 30.0,
                    y + 10.0
                ),
                x + 44.0,
                y,
            )
        } else {
            // Back edge: leave on the right, swing out by the distance travelled, come back in.
            // Swing out right of every node in the layers it passes, not through them.
            let (lo, hi) = (layer[e.to], layer[e.from]);
            let right = (0..n)
                .filter(|&v| (lo..=hi).contains(&layer[v]))
                .map(|v| pos[v].0 + NODE_W / 2.0)
                .fold(0.0, f64::max);
            let bulge = 30.0 + 12.0 * (hi - lo) as f64;
            // Leave from the source's top, so no node beside it in its layer is crossed.
            let (sx, sy) = (x1 + NODE_W / 4.0, y1 - NODE_H / 2.0);
            // Come down onto the target's top from above-right, so the last stretch crosses
            // no node of the target's layer.
            let (tx, ty) = (x2 + NODE_W / 4.0, y2 - NODE_H / 2.0 - 2.0);
            let cx = right + bulge;
            (
                format!(
                    "M{sx:.1},{sy:.1} C{cx:.1},{:.1} {cx:.1},{:.1} {tx:.1},{ty:.1}",
                    sy - ROW_GAP * 0.45,
                    ty - ROW_GAP * 0.45
                ),
                right + bulge * 0.75,
                (sy + ty) / 2.0 - ROW_GAP * 0.3,
            )
        };
        // Backward flow (rework, loops) is dashed so the main flow reads first.
        let dash = if layer[e.to] <= layer[e.from] && e.from != e.to {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        let _ = writeln!(
            svg,
            r#"<path d="{path}" fill="none" stroke="{colour}" stroke-width="{w:.1}" stroke-opacity="0.85"{dash} marker-end="url(#arrow)"/>"#
        );
        let label = match options.labels {
            MapLabels::Frequency => human_count(e.count, options.lang),
            MapLabels::Performance if e.mean_seconds.is_finite() => {
                human_duration(e.mean_seconds, options.lang)
            }
            MapLabels::Performance => String::new(),
        };
        if !label.is_empty() {
            let _ = writeln!(
                svg,
                r##"<text x="{lx:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                ly + 4.0,
                esc(&label)
            );
        }
    }
    for v in 0..n {
        let (x, y) = pos[v];
        if v < 2 {
            let fill = if v == 0 { "#2e7d32" } else { "#c62828" };
            let _ = writeln!(
                svg,
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="14" fill="{fill}"/>"#
            );
            continue;
        }
        let share = counts[v] as f64 / max_count;
        let fill = shade(share);
        let text_colour = if share > 0.55 { "#ffffff" } else { "#10243e" };
        let name = truncate(&names[v], 28);
        let _ = writeln!(
            svg,
            r##"<g><title>{}</title><rect x="{:.1}" y="{:.1}" width="{NODE_W}" height="{NODE_H}" rx="8" fill="{fill}" stroke="#1f4e79" stroke-width="1.2"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="{text_colour}" font-weight="bold">{}</text><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="11" fill="{text_colour}">{}</text></g>"##,
            esc(&names[v]),
            x - NODE_W / 2.0,
            y - NODE_H / 2.0,
            y - 3.0,
            esc(&name),
            y + 14.0,
            esc(&human_count(counts[v], options.lang)),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Light to dark blue by share of the busiest activity.
fn shade(share: f64) -> String {
    let t = share.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(222.0, 31.0),
        lerp(235.0, 78.0),
        lerp(247.0, 121.0)
    )
}

/// Grey-orange-red by relative waiting time.
fn heat(t: f64) -> String {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(120.0, 211.0),
        lerp(144.0, 47.0),
        lerp(156.0, 47.0)
    )
}

/// Layer = shortest distance from the start node; the end node goes below everything.
fn layers(n: usize, edges: &[Edge]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        out[e.from].push(e.to);
    }
    let mut layer = vec![usize::MAX; n];
    layer[0] = 0;
    let mut queue = VecDeque::from([0]);
    while let Some(v) = queue.pop_front() {
        for &w in &out[v] {
            if w != 1 && layer[w] == usize::MAX {
                layer[w] = layer[v] + 1;
                queue.push_back(w);
            }
        }
    }
    for l in layer.iter_mut().skip(2) {
        if *l == usize::MAX {
            *l = 1;
        }
    }
    layer[1] = layer.iter().skip(2).copied().max().unwrap_or(0) + 1;
    layer
}

/// Orders nodes inside layers by the barycentre of their predecessors (a few sweeps), which
/// keeps most edges short and uncrossed.
fn order_in_layers(n: usize, layer: &[usize], edges: &[Edge], counts: &[u64]) -> Vec<Vec<usize>> {
    let layers = layer.iter().copied().max().unwrap_or(0) + 1;
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); layers];
    let mut by_count: Vec<usize> = (0..n).collect();
    by_count.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    for v in by_count {
        order[layer[v]].push(v);
    }
    let mut position = vec![0.0; n];
    let set_positions = |order: &Vec<Vec<usize>>, position: &mut Vec<f64>| {
        for row in order {
            for (i, &v) in row.iter().enumerate() {
                position[v] = i as f64 - (row.len() as f64 - 1.0) / 2.0;
            }
        }
    };
    set_positions(&order, &mut position);
    for sweep in 0..6 {
        let downward = sweep % 2 == 0;
        for l in 1..layers {
            let row = &order[l];
            let mut keyed: Vec<(f64, usize)> = row
                .iter()
                .map(|&v| {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for e in edges {
                        let other = if downward && e.to == v && layer[e.from] < l {
                            e.from
                        } else if !downward && e.from == v && layer[e.to] > l {
                            e.to
                        } else {
                            continue;
                        };
                        sum += position[other] * e.count as f64;
                        weight += e.count as f64;
                    }
                    (
                        if weight > 0.0 {
                            sum / weight
                        } else {
                            position[v]
                        },
                        v,
                    )
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            order[l] = keyed.into_iter().map(|(_, v)| v).collect();
            set_positions(&order, &mut position);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::LogBuilder;

    #[test]
    fn map_has_every_activity_and_thicker_main_edge() {
        let mut b = LogBuilder::new();
        for c in 0..5 {
            let trace: &[&str] = if c < 4 {
                &["a", "b", "d"]
            } else {
                &["a", "c", "b", "d"]
            };
            for (i, a) in trace.iter().enumerate() {
                b.push_event(&c.to_string(), a, i as i64 * 60_000, None);
            }
        }
        let dfg = crate::analysis::dfg(&b.build());
        let svg = process_map_svg(&dfg, &MapOptions::default());
        for a in ["a", "b", "c", "d"] {
            assert!(svg.contains(&format!("<title>{a}</title>")), "{a} missing");
        }
        let widths: Vec<f64> = svg
            .match_indices("stroke-width=\"")
            .map(|(i, m)| {
                svg[i + m.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(widths.iter().any(|&w| w >= 7.9) && widths.iter().any(|&w| w < 3.0));
        let perf = process_map_svg(
            &dfg,
            &MapOptions {
                labels: MapLabels::Performance,
                ..Default::default()
            },
        );
        assert!(perf.contains(">1 min<"));
    }
}
