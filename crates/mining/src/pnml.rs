//! PNML (ISO/IEC 15909-2) export and import of accepting Petri nets, in the dialect PM4Py and
//! ProM use: silent transitions carry `<toolspecific tool="ProM" activity="$invisible$"/>`,
//! the final marking sits in `<finalmarkings>`.

use std::fmt::Write as _;

use anyhow::{Context, anyhow, bail};
use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::Event;

use crate::petri::PetriNet;

/// Writes the net as PNML text.
pub fn to_pnml(net: &PetriNet) -> String {
    let mut s = String::with_capacity(256 + 200 * (net.places.len() + net.transitions.len()));
    s.push_str("<?xml version='1.0' encoding='UTF-8'?>\n<pnml>\n");
    let _ = writeln!(
        s,
        "  <net id=\"{}\" type=\"http://www.pnml.org/version-2009/grammar/pnmlcoremodel\">\n    <name><text>{}</text></name>\n    <page id=\"n0\">",
        escape(net.name.as_str()),
        escape(net.name.as_str())
    );
    for (i, p) in net.places.iter().enumerate() {
        let p = escape(p.as_str());
        let _ = write!(s, "      <place id=\"{p}\"><name><text>{p}</text></name>");
        if net.initial_marking[i] > 0 {
            let _ = write!(
                s,
                "<initialMarking><text>{}</text></initialMarking>",
                net.initial_marking[i]
            );
        }
        s.push_str("</place>\n");
    }
    for t in &net.transitions {
        let id = escape(t.name.as_str());
        match &t.label {
            Some(l) => {
                let _ = writeln!(
                    s,
                    "      <transition id=\"{id}\"><name><text>{}</text></name></transition>",
                    escape(l.as_str())
                );
            }
            None => {
                let _ = writeln!(
                    s,
                    "      <transition id=\"{id}\"><name><text>{id}</text></name><toolspecific tool=\"ProM\" version=\"6.4\" activity=\"$invisible$\" localNodeID=\"{id}\"/></transition>"
                );
            }
        }
    }
    let mut arc = 0usize;
    for t in &net.transitions {
        let tid = escape(t.name.as_str());
        for (src, dst, w) in t
            .inputs
            .iter()
            .map(|&(p, w)| (escape(net.places[p as usize].as_str()), tid.clone(), w))
            .chain(
                t.outputs
                    .iter()
                    .map(|&(p, w)| (tid.clone(), escape(net.places[p as usize].as_str()), w)),
            )
        {
            arc += 1;
            let _ = write!(
                s,
                "      <arc id=\"a{arc}\" source=\"{src}\" target=\"{dst}\">"
            );
            if w != 1 {
                let _ = write!(s, "<inscription><text>{w}</text></inscription>");
            }
            s.push_str("</arc>\n");
        }
    }
    s.push_str("    </page>\n    <finalmarkings>\n      <marking>\n");
    for (i, p) in net.places.iter().enumerate() {
        if net.final_marking[i] > 0 {
            let _ = writeln!(
                s,
                "        <place idref=\"{}\"><text>{}</text></place>",
                escape(p.as_str()),
                net.final_marking[i]
            );
        }
    }
    s.push_str("      </marking>\n    </finalmarkings>\n  </net>\n</pnml>\n");
    s
}

#[derive(PartialEq)]
enum Ctx {
    None,
    Place,
    Transition,
    Arc,
    FinalPlace,
}

/// Reads a PNML document (first net; all pages flattened).
pub fn from_pnml(text: &str) -> anyhow::Result<PetriNet> {
    let mut reader = Reader::from_str(text);
    let mut net = PetriNet::new("net");
    let mut place_ix = foldhash::HashMap::default();
    let mut trans_ix = foldhash::HashMap::default();
    let mut arcs: Vec<(String, String, u32)> = Vec::new();
    let mut finals: Vec<(String, u32)> = Vec::new();
    let mut ctx = Ctx::None;
    let mut path: Vec<String> = Vec::new();
    // Current element's data.
    let mut id = String::new();
    let mut name: Option<String> = None;
    let mut invisible = false;
    let mut number: u32 = 0;
    let mut arc_ends = (String::new(), String::new());
    loop {
        let ev = reader.read_event().context("PNML is not well-formed XML")?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let tag = e.local_name().as_ref().to_string();
                let attr = |key: &str| -> anyhow::Result<Option<String>> {
                    for a in e.attributes() {
                        let a = a?;
                        if a.key.local_name().as_ref() == key {
                            return Ok(Some(
                                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)?
                                    .into_owned(),
                            ));
                        }
                    }
                    Ok(None)
                };
                let in_final = path.iter().any(|p| p == "finalmarkings");
                match tag.as_str() {
                    "place" if in_final => {
                        ctx = Ctx::FinalPlace;
                        id = attr("idref")?
                            .ok_or_else(|| anyhow!("final marking place without idref"))?;
                        number = 0;
                    }
                    "place" => {
                        ctx = Ctx::Place;
                        id = attr("id")?.ok_or_else(|| anyhow!("place without id"))?;
                        number = 0;
                    }
                    "transition" => {
                        ctx = Ctx::Transition;
                        id = attr("id")?.ok_or_else(|| anyhow!("transition without id"))?;
                        name = None;
                        invisible = false;
                    }
                    "arc" => {
                        ctx = Ctx::Arc;
                        arc_ends = (
                            attr("source")?.ok_or_else(|| anyhow!("arc without source"))?,
                            attr("target")?.ok_or_else(|| anyhow!("arc without target"))?,
                        );
                        number = 1;
                    }
                    "toolspecific"
                        if ctx == Ctx::Transition
                            && attr("tool")?.is_some_and(|t| t.contains("ProM"))
                            && attr("activity")?.is_some_and(|a| a.contains("invisible")) =>
                    {
                        invisible = true;
                    }
                    "net" if net.name == "net" => {
                        if let Some(i) = attr("id")? {
                            net.name = i;
                        }
                    }
                    _ => {}
                }
                if matches!(ev, Event::Start(_)) {
                    path.push(tag);
                } else {
                    close(
                        &tag,
                        &mut ctx,
                        &mut net,
                        &mut place_ix,
                        &mut trans_ix,
                        &mut arcs,
                        &mut finals,
                        &id,
                        &name,
                        invisible,
                        number,
                        &arc_ends,
                    )?;
                }
            }
            Event::Text(t) => {
                let txt = t.xml10_content().into_owned();
                let txt = quick_xml::escape::unescape(&txt)?.trim().to_string();
                let parent = path.iter().rev().nth(1).map(String::as_str);
                if path.last().map(String::as_str) == Some("text") {
                    match (&ctx, parent) {
                        (Ctx::Place, Some("initialMarking"))
                        | (Ctx::Arc, Some("inscription"))
                        | (Ctx::FinalPlace, Some("place")) => {
                            number = txt
                                .parse()
                                .with_context(|| format!("bad token count {txt:?}"))?;
                        }
                        (Ctx::Transition, Some("name")) if name.is_none() && !txt.is_empty() => {
                            name = Some(txt)
                        }
                        _ => {}
                    }
                }
            }
            Event::End(e) => {
                let tag = e.local_name().as_ref().to_string();
                path.pop();
                close(
                    &tag,
                    &mut ctx,
                    &mut net,
                    &mut place_ix,
                    &mut trans_ix,
                    &mut arcs,
                    &mut finals,
                    &id,
                    &name,
                    invisible,
                    number,
                    &arc_ends,
                )?;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for (src, dst, w) in arcs {
        match (
            place_ix.get(&src),
            trans_ix.get(&dst),
            trans_ix.get(&src),
            place_ix.get(&dst),
        ) {
            (Some(&p), Some(&t), _, _) => net.arc_to_transition(p, t, w),
            (_, _, Some(&t), Some(&p)) => net.arc_to_place(t, p, w),
            _ => bail!("arc {src} -> {dst} does not join a place and a transition"),
        }
    }
    for (p, n) in finals {
        let &i = place_ix
            .get(&p)
            .ok_or_else(|| anyhow!("final marking names unknown place {p}"))?;
        net.final_marking[i as usize] = n;
    }
    if net.places.is_empty() {
        bail!("no places in PNML");
    }
    Ok(net)
}

#[allow(clippy::too_many_arguments)]
fn close(
    tag: &str,
    ctx: &mut Ctx,
    net: &mut PetriNet,
    place_ix: &mut foldhash::HashMap<String, u32>,
    trans_ix: &mut foldhash::HashMap<String, u32>,
    arcs: &mut Vec<(String, String, u32)>,
    finals: &mut Vec<(String, u32)>,
    id: &str,
    name: &Option<String>,
    invisible: bool,
    number: u32,
    arc_ends: &(String, String),
) -> anyhow::Result<()> {
    match (tag, &*ctx) {
        ("place", Ctx::Place) => {
            let p = net.add_place(id);
            net.initial_marking[p as usize] = number;
            if place_ix.insert(id.to_string(), p).is_some() {
                bail!("duplicate place id {id}");
            }
        }
        ("place", Ctx::FinalPlace) => finals.push((id.to_string(), number)),
        ("transition", Ctx::Transition) => {
            let label = if invisible {
                None
            } else {
                Some(name.clone().unwrap_or_else(|| id.to_string()))
            };
            let t = net.add_transition(id, label);
            if trans_ix.insert(id.to_string(), t).is_some() {
                bail!("duplicate transition id {id}");
            }
        }
        ("arc", Ctx::Arc) => arcs.push((arc_ends.0.clone(), arc_ends.1.clone(), number)),
        _ => return Ok(()),
    }
    *ctx = Ctx::None;
    Ok(())
}
