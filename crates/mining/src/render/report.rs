//! One-file HTML report (no external assets) in English or Simplified Chinese.

use super::map::{MapOptions, process_map_svg};
use super::{Lang, esc, human_count, human_duration};
use crate::analysis::{bottlenecks, cases, dfg, stats, variants};
use crate::log::EventLog;
use std::fmt::Write;

#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub lang: Lang,
    pub title: Option<String>,
    /// Rows per ranked table.
    pub top: usize,
    /// Discover a model (IMf with this noise threshold, plus the Heuristics Miner's dependency
    /// graph) and replay the log on it; `None` leaves the model section out.
    pub model_noise: Option<f64>,
}

struct Text {
    title: &'static str,
    summary: &'static str,
    events: &'static str,
    cases: &'static str,
    activities: &'static str,
    variants: &'static str,
    resources: &'static str,
    span: &'static str,
    map: &'static str,
    top_variants: &'static str,
    share: &'static str,
    mean_duration: &'static str,
    sequence: &'static str,
    durations: &'static str,
    waits: &'static str,
    edge: &'static str,
    total_wait: &'static str,
    mean_wait: &'static str,
    loops: &'static str,
    path: &'static str,
    occurrences: &'static str,
    handovers: &'static str,
    workload: &'static str,
    resource: &'static str,
    count: &'static str,
    cases_with_rework: &'static str,
    from_to: &'static str,
    model: &'static str,
    model_tree: &'static str,
    model_net: &'static str,
    fitness: &'static str,
    fitting_cases: &'static str,
    dependencies: &'static str,
    dependency: &'static str,
}

const EN: Text = Text {
    title: "Process mining report",
    summary: "Summary",
    events: "Events",
    cases: "Cases",
    activities: "Activities",
    variants: "Variants",
    resources: "Resources",
    span: "Time span",
    map: "Process map",
    top_variants: "Most frequent variants",
    share: "Share",
    mean_duration: "Mean duration",
    sequence: "Activities",
    durations: "Case durations",
    waits: "Longest waits between activities",
    edge: "From → to",
    total_wait: "Total wait",
    mean_wait: "Mean wait",
    loops: "Rework loops",
    path: "Loop",
    occurrences: "Occurrences",
    handovers: "Handover of work",
    workload: "Resource workload",
    resource: "Resource",
    count: "Count",
    cases_with_rework: "Cases with rework",
    from_to: "From → to",
    model: "Discovered model and conformance",
    model_tree: "Process tree (Inductive Miner, infrequent; noise {noise})",
    model_net: "Petri net: {places} places, {transitions} transitions, {arcs} arcs",
    fitness: "Token-replay fitness",
    fitting_cases: "Cases that fit the model",
    dependencies: "Strongest dependencies (Heuristics Miner)",
    dependency: "Dependency",
};

const ZH: Text = Text {
    title: "流程挖掘报告",
    summary: "概览",
    events: "事件数",
    cases: "案例数",
    activities: "活动数",
    variants: "变体数",
    resources: "资源数",
    span: "时间范围",
    map: "流程图",
    top_variants: "最常见的变体",
    share: "占比",
    mean_duration: "平均时长",
    sequence: "活动序列",
    durations: "案例时长",
    waits: "活动之间等待最久的环节",
    edge: "从 → 到",
    total_wait: "总等待",
    mean_wait: "平均等待",
    loops: "返工循环",
    path: "循环",
    occurrences: "次数",
    handovers: "工作交接",
    workload: "资源工作量",
    resource: "资源",
    count: "次数",
    cases_with_rework: "有返工的案例",
    from_to: "从 → 到",
    model: "发现的流程模型与一致性",
    model_tree: "流程树（归纳挖掘，过滤低频；噪声阈值 {noise}）",
    model_net: "Petri 网：{places} 个库所，{transitions} 个变迁，{arcs} 条弧",
    fitness: "令牌重放拟合度",
    fitting_cases: "符合模型的案例",
    dependencies: "最强的依赖关系（启发式挖掘）",
    dependency: "依赖度",
};

const STYLE: &str = "body{font-family:-apple-system,'Segoe UI','PingFang SC','Noto Sans CJK SC',sans-serif;margin:0;color:#1b2733;background:#f5f7fa}\
main{max-width:1100px;margin:auto;padding:16px}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{background:#fff;border-radius:8px;padding:10px 14px;min-width:120px;box-shadow:0 1px 2px #0002}\
.card b{display:block;font-size:1.3rem}table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}\
td,th{padding:6px 8px;border-bottom:1px solid #e3e8ee;text-align:left;vertical-align:top}td.n{text-align:right;white-space:nowrap}\
.bar{background:#1f4e79;height:8px;border-radius:4px}.map{overflow:auto;background:#fff;border-radius:8px}small{color:#5a6b7b}";

/// Renders the report of `log`; `source` names the file in the header.
pub fn report_html(log: &EventLog, source: &str, options: &ReportOptions) -> String {
    let t = if options.lang == Lang::ZhCn { &ZH } else { &EN };
    let lang = options.lang;
    let top = if options.top == 0 { 10 } else { options.top };
    let s = stats(log);
    let d = dfg(log);
    let v = variants(log, Some(top));
    let c = cases(log, Some(0));
    let b = bottlenecks(log, top);
    let dur = |x: f64| esc(&human_duration(x, lang));
    let num = |x: u64| esc(&human_count(x, lang));

    let mut h = String::new();
    let title = options.title.as_deref().unwrap_or(t.title);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head><body><main><h1>{}</h1><small>{}</small>",
        if lang == Lang::ZhCn { "zh-CN" } else { "en" },
        esc(title),
        esc(title),
        esc(source)
    );
    let _ = write!(h, "<h2>{}</h2><div class=\"cards\">", t.summary);
    for (label, value) in [
        (t.events, num(s.events as u64)),
        (t.cases, num(s.cases as u64)),
        (t.activities, num(s.activities as u64)),
        (t.variants, num(s.variants as u64)),
        (t.resources, num(s.resources as u64)),
        (t.span, dur(s.span_seconds)),
    ] {
        let _ = write!(h, "<div class=\"card\">{label}<b>{value}</b></div>");
    }
    let _ = write!(
        h,
        "</div><p><small>{} – {}</small></p>",
        esc(s.first_event.as_deref().unwrap_or("")),
        esc(s.last_event.as_deref().unwrap_or(""))
    );
    let map = process_map_svg(
        &d,
        &MapOptions {
            lang,
            ..Default::default()
        },
    );
    let _ = write!(h, "<h2>{}</h2><div class=\"map\">{map}</div>", t.map);

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.top_variants, t.cases, t.share, t.mean_duration, t.sequence
    );
    for (i, x) in v.variants.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%<div class=\"bar\" style=\"width:{:.0}%\"></div></td><td class=\"n\">{}</td><td>{}</td></tr>",
            i + 1,
            num(x.count),
            x.share * 100.0,
            x.share * 100.0,
            dur(x.mean_duration_seconds),
            esc(&x.activities.join(" → "))
        );
    }
    h.push_str("</table>");

    let cd = &c.duration_seconds;
    let _ = write!(
        h,
        "<h2>{}</h2><div class=\"cards\"><div class=\"card\">min<b>{}</b></div><div class=\"card\">p25<b>{}</b></div><div class=\"card\">median<b>{}</b></div><div class=\"card\">mean<b>{}</b></div><div class=\"card\">p90<b>{}</b></div><div class=\"card\">max<b>{}</b></div><div class=\"card\">{}<b>{}</b></div></div>",
        t.durations,
        dur(cd.min),
        dur(cd.p25),
        dur(cd.median),
        dur(cd.mean),
        dur(cd.p90),
        dur(cd.max),
        t.cases_with_rework,
        num(c.cases_with_rework as u64)
    );

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.waits, t.edge, t.count, t.total_wait, t.mean_wait
    );
    for e in &b.edges_by_total_wait {
        let _ = write!(
            h,
            "<tr><td>{} → {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&e.source),
            esc(&e.target),
            num(e.count),
            dur(e.total_seconds),
            dur(e.mean_seconds)
        );
    }
    h.push_str("</table>");

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.loops, t.path, t.occurrences, t.cases
    );
    for l in &b.rework_loops {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&l.path.join(" → ")),
            num(l.occurrences),
            num(l.cases)
        );
    }
    h.push_str("</table>");

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th></tr>",
        t.handovers, t.from_to, t.count
    );
    for x in &b.handovers {
        let _ = write!(
            h,
            "<tr><td>{} → {}</td><td class=\"n\">{}</td></tr>",
            esc(&x.from),
            esc(&x.to),
            num(x.count)
        );
    }
    h.push_str("</table>");

    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.workload, t.resource, t.events, t.cases, t.share
    );
    for r in &b.resource_workload {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td></tr>",
            esc(&r.resource),
            num(r.events),
            num(r.cases),
            r.share_of_events * 100.0
        );
    }
    h.push_str("</table>");
    if let Some(noise) = options.model_noise {
        model_section(&mut h, log, t, noise, top, &num);
    }
    h.push_str("</main></body></html>\n");
    h
}

/// IMf model with its token-replay fitness, and the Heuristics Miner's strongest dependencies:
/// how the work is supposed to flow according to the log, and how much of it does.
fn model_section(
    h: &mut String,
    log: &EventLog,
    t: &Text,
    noise: f64,
    top: usize,
    num: &dyn Fn(u64) -> String,
) {
    use crate::conformance::token_replay;
    use crate::discovery::{
        HeuristicsConfig, InductiveVariant, discover_heuristics_net, discover_process_tree,
        process_tree_to_petri_net,
    };
    let traces = log.to_trace_log();
    let variant = if noise > 0.0 {
        InductiveVariant::Imf { noise }
    } else {
        InductiveVariant::Im
    };
    let tree = discover_process_tree(&traces, variant);
    let net = process_tree_to_petri_net(&tree);
    let fit = token_replay(&net, &traces);
    let heur = discover_heuristics_net(&traces, &HeuristicsConfig::default());
    let _ = write!(
        h,
        "<h2>{}</h2><p>{}</p><pre class=\"map\">{}</pre><p><small>{}</small></p>",
        t.model,
        esc(&t.model_tree.replace("{noise}", &noise.to_string())),
        esc(&tree.to_string()),
        esc(&t
            .model_net
            .replace("{places}", &net.places.len().to_string())
            .replace("{transitions}", &net.transitions.len().to_string())
            .replace("{arcs}", &net.arc_count().to_string()))
    );
    let _ = write!(
        h,
        "<div class=\"cards\"><div class=\"card\">{}<b>{:.4}</b></div><div class=\"card\">{}<b>{} / {}</b></div></div>",
        t.fitness,
        fit.log_fitness,
        t.fitting_cases,
        num(fit.fitting_cases),
        num(fit.cases)
    );
    let mut edges: Vec<_> = heur.edges.iter().collect();
    edges.sort_by_key(|e| std::cmp::Reverse(e.frequency));
    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        t.dependencies, t.from_to, t.dependency, t.count
    );
    let name = |a: u32| esc(&traces.activities[a as usize]);
    for e in edges.into_iter().take(top) {
        let _ = write!(
            h,
            "<tr><td>{} → {}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td></tr>",
            name(e.source),
            name(e.target),
            e.dependency,
            num(e.frequency)
        );
    }
    h.push_str("</table>");
}
