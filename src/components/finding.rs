//! One finding: what failed, the lines that prove it (as text, never HTML), and what to do.

use midtriage_engine::render::plural;
use midtriage_engine::{Evidence, Finding, Severity};
use yew::prelude::*;

use super::kb;

/// Evidence lines shown before "Show all".
const FIRST: usize = 5;

/// Props of a finding card.
#[derive(Properties, PartialEq)]
pub struct FindingProps {
    /// The finding.
    pub finding: Finding,
    /// The time range chosen on the timeline (on its axis, whose UTC offset is `axis`): the
    /// evidence shown is narrowed to it.
    #[prop_or_default]
    pub range: Option<(i64, i64)>,
    #[prop_or_default]
    pub axis: Option<i16>,
    /// The evidence line the timeline opened, as (file, line), and how many times it was
    /// opened (each time, it is scrolled to).
    #[prop_or_default]
    pub focus: Option<(String, u32, u32)>,
}

/// A finding card; carries `data-finding-id` for portals and tests.
#[function_component(FindingCard)]
pub fn finding_card(props: &FindingProps) -> Html {
    let f = &props.finding;
    let all = use_state(|| false);
    let focus = props.focus.as_ref();
    let is_focus =
        |e: &Evidence| focus.is_some_and(|(file, line, _)| &e.file == file && e.line == *line);
    // In the range, or the line the timeline opened.
    let listed: Vec<&Evidence> = f
        .evidence
        .iter()
        .filter(|e| {
            props.range.is_none_or(|(a, b)| {
                e.timestamp
                    .is_some_and(|t| (a..=b).contains(&t.on_axis(props.axis)))
            }) || is_focus(e)
        })
        .collect();
    let hidden = f.evidence.len() - listed.len();
    let focus_at = listed.iter().position(|e| is_focus(e));
    let shown = if *all || focus_at.is_some_and(|p| p >= FIRST) {
        listed.len()
    } else {
        listed.len().min(FIRST)
    };
    let title_id = format!("finding-{}", f.id);
    let toggle = {
        let all = all.clone();
        Callback::from(move |_| all.set(!*all))
    };
    html! {
        <article class={classes!("finding", severity_class(f.severity))} data-finding-id={f.id.clone()} aria-labelledby={title_id.clone()}>
            <header class="finding-head">
                <span class="severity">{ f.severity.name() }</span>
                <h4 id={title_id}>{ f.title.clone() }</h4>
            </header>
            if f.reinstall {
                <p class="reinstall" role="note"><strong>{ "The MID Server must be reinstalled." }</strong>{ " Fixing the cause alone will not bring it back." }</p>
            }
            <p>{ f.summary.clone() }</p>
            <h5>{ format!("Evidence: {} match{}", f.matches, if f.matches == 1 { "" } else { "es" }) }</h5>
            if hidden > 0 {
                <p class="hint range-hidden">{ format!("{} outside the time chosen on the timeline {} hidden.", plural(hidden, "evidence line"), if hidden == 1 { "is" } else { "are" }) }</p>
            }
            <ol class="evidence">
                { for listed[..shown].iter().map(|e| {
                    let focused = is_focus(e).then(|| focus.map_or(0, |f| f.2));
                    html! { <EvidenceLine evidence={(*e).clone()} focused={focused} /> }
                }) }
            </ol>
            if listed.len() > FIRST {
                <button type="button" class="link" aria-expanded={all.to_string()} onclick={toggle}>
                    { if shown == listed.len() { "Show fewer lines".to_string() } else { format!("Show all {} lines", listed.len()) } }
                </button>
            }
            if f.matches > f.evidence.len() {
                <p class="hint">{ format!("{} more matches are not listed: at most {} lines are kept, shared between the files.", f.matches - f.evidence.len(), midtriage_engine::finding::MAX_EVIDENCE) }</p>
            }
            <h5>{ "What to do" }</h5>
            <ol class="resolution">{ for f.resolution.iter().map(|s| html! { <li>{ rich(s) }</li> }) }</ol>
            <p class="then">{ "Then restart the MID Server service so the upgrade is tried again, and check that it reports Up on the new version." }</p>
            <p class="links">{ "See " }{ for std::iter::once(&f.kb).chain(&f.links).enumerate().map(|(i, l)| html! { <>{ if i > 0 { ", " } else { "" } }{ kb(l) }</> }) }{ "." }</p>
        </article>
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Text with `code` spans, as text nodes only.
pub fn rich(s: &str) -> Html {
    html! { <>{ for s.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } }) }</> }
}

#[derive(Properties, PartialEq)]
struct EvidenceProps {
    evidence: Evidence,
    /// Set when the timeline opened this line: how many times it was opened.
    #[prop_or_default]
    focused: Option<u32>,
}

/// One evidence line with its matches marked and its context on demand.
#[function_component(EvidenceLine)]
fn evidence_line(props: &EvidenceProps) -> Html {
    let e = &props.evidence;
    let open = use_state(|| false);
    // Opened from the timeline: its context is shown.
    {
        let open = open.clone();
        use_effect_with(props.focused, move |f| {
            if f.is_some() {
                open.set(true);
            }
        });
    }
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let context_line = |n: u32, text: &str| html! { <div class="ctx"><span class="ln">{ n }</span>{ text.to_string() }</div> };
    html! {
        <li class={classes!("evidence-item", props.focused.is_some().then_some("focused"))} data-evidence-file={e.file.clone()} data-evidence-line={e.line.to_string()}
            data-focused={props.focused.map(|n| n.to_string())} tabindex={props.focused.map(|_| "-1")} id={props.focused.map(|_| super::results::OPENED)}>
            <div class="where">
                <code>{ format!("{}:{}", e.file, e.line) }</code>
                if let Some(t) = e.timestamp { <span class="ts">{ t.to_string() }</span> }
                if !e.before.is_empty() || !e.after.is_empty() {
                    <button type="button" class="link" aria-expanded={open.to_string()} onclick={toggle}>
                        { if *open { "Hide context" } else { "Show context" } }
                    </button>
                }
            </div>
            if *open {
                <pre class="context">
                    { for e.before.iter().map(|c| context_line(c.line, &c.text)) }
                    <div class="ctx hit"><span class="ln">{ e.line }</span>{ marked(&e.text, &e.highlights) }</div>
                    { for e.after.iter().map(|c| context_line(c.line, &c.text)) }
                </pre>
            } else {
                <pre class="line">{ marked(&e.text, &e.highlights) }</pre>
            }
        </li>
    }
}

/// The line as text nodes, with the matched ranges in `<mark>`.
fn marked(text: &str, highlights: &[(usize, usize)]) -> Html {
    let mut parts = Vec::new();
    let mut at = 0;
    let mut ranges: Vec<(usize, usize)> = highlights
        .iter()
        .copied()
        .filter(|&(s, e)| s < e && e <= text.len())
        .collect();
    ranges.sort_unstable();
    for (s, e) in ranges {
        let s = s.max(at);
        if s >= e || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        parts.push(html! { { &text[at..s] } });
        parts.push(html! { <mark>{ &text[s..e] }</mark> });
        at = e;
    }
    parts.push(html! { { &text[at..] } });
    html! { <>{ for parts }</> }
}
