//! The errors no rule explains: each template with its count, when it was seen and an example
//! on demand (as text, never HTML), and a rule drafted from it, edited here, run with the logs
//! or downloaded. Never shown as causes.

use std::rc::Rc;

use midtriage_engine::{Example, FileKind, TroubleLevel, Unrecognised};
use yew::prelude::*;

use crate::dom;

/// Entries shown before "Show all".
const FIRST: usize = 5;

/// Props of the list.
#[derive(Properties, PartialEq)]
pub struct UnexplainedProps {
    /// The entries, most worth a look first.
    pub entries: Rc<Vec<Unrecognised>>,
    /// Each analysed file's name and kind (a draft applies to its file's kind).
    pub kinds: Rc<Vec<(String, FileKind)>>,
    /// Other lines of the files, as (file, text): where a draft's quiet sample comes from.
    pub lines: Rc<Vec<(String, String)>>,
    /// Run the logs again with a rules file: its name and TOML text.
    pub on_rule: Callback<(String, String)>,
    /// The entry the timeline opened (its template), and how many times it was opened.
    #[prop_or_default]
    pub focus: Option<(String, u32)>,
}

/// The list, under its own heading.
#[function_component(Unexplained)]
pub fn unexplained(props: &UnexplainedProps) -> Html {
    let all = use_state(|| false);
    // The entry whose draft is open, and the draft's text as edited.
    let open = use_state(|| None::<usize>);
    let text = use_state(String::new);
    let status = use_state(String::new);
    // A new run lists other entries: a draft left open would sit under another one.
    {
        let open = open.clone();
        use_effect_with(props.entries.clone(), move |_| open.set(None));
    }
    if props.entries.is_empty() {
        return html! {};
    }
    let focus = props.focus.as_ref();
    let is_focus = |u: &Unrecognised| focus.is_some_and(|(t, _)| &u.template == t);
    let focus_at = props.entries.iter().position(is_focus);
    let shown = if *all || focus_at.is_some_and(|p| p >= FIRST) {
        props.entries.len()
    } else {
        props.entries.len().min(FIRST)
    };
    let toggle = {
        let all = all.clone();
        Callback::from(move |_| all.set(!*all))
    };
    let entry = |(i, u): (usize, &Unrecognised)| {
        let on_draft = {
            let (open, text, status) = (open.clone(), text.clone(), status.clone());
            let (entries, kinds, lines) = (
                props.entries.clone(),
                props.kinds.clone(),
                props.lines.clone(),
            );
            Callback::from(move |_: MouseEvent| {
                match draft(&entries, &kinds, &lines, i) {
                    Ok(toml) => {
                        text.set(toml);
                        status.set(String::new());
                    }
                    Err(e) => {
                        text.set(String::new());
                        status.set(e);
                    }
                }
                open.set(Some(i));
            })
        };
        let focused = is_focus(u).then(|| focus.map_or(0, |f| f.1));
        html! {
            <li class="unexplained-entry" data-template={u.template.clone()} data-focused={focused.map(|n| n.to_string())} tabindex={focused.map(|_| "-1")} id={focused.map(|_| super::results::OPENED)}>
                <p class="unexplained-head">
                    <span class={classes!("level", level_class(u.level))}>{ level_name(u.level) }</span>
                    <code class="template">{ u.template.clone() }</code>
                </p>
                <p class="hint">{ seen(u) }</p>
                if let Some(first) = u.examples.first() {
                    <details class="example" open={focused.is_some()}>
                        <summary>{ format!("Example: {}", place(first)) }</summary>
                        <pre class="example-text">{ example_text(first) }</pre>
                        { for u.examples.iter().skip(1).map(|e| html! { <p class="hint">{ format!("Also at {}", place(e)) }</p> }) }
                    </details>
                }
                <button type="button" class="secondary draft-rule" onclick={on_draft}>{ "Draft a rule" }</button>
                if *open == Some(i) {
                    { editor(&text, &status, &props.on_rule) }
                }
            </li>
        }
    };
    html! {
        <section class="unexplained" id="unexplained" aria-labelledby="unexplained-heading">
            <h4 id="unexplained-heading">{ "Errors no rule explains" }</h4>
            <p class="hint">{ "These errors and warnings match no known cause. They are listed so that you can look at them, most worth a look first (near where the upgrade stopped, then the worst and rarest); they are not causes. Draft a rule from one to name it next time." }</p>
            <ol class="unexplained-list">
                { for props.entries[..shown].iter().enumerate().map(entry) }
            </ol>
            if props.entries.len() > FIRST {
                <button type="button" class="link" aria-expanded={all.to_string()} onclick={toggle}>
                    { if shown == props.entries.len() { "Show fewer".to_string() } else { format!("Show all {}", props.entries.len()) } }
                </button>
            }
        </section>
    }
}

/// The draft's editor: the TOML, a run with it, a download.
fn editor(
    text: &UseStateHandle<String>,
    status: &UseStateHandle<String>,
    on_rule: &Callback<(String, String)>,
) -> Html {
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(area) = e.target_dyn_into::<web_sys::HtmlTextAreaElement>() {
                text.set(area.value());
            }
        })
    };
    let on_run = {
        let (text, on_rule) = (text.clone(), on_rule.clone());
        Callback::from(move |_: MouseEvent| on_rule.emit((file_name(&text), (*text).clone())))
    };
    let on_download = {
        let (text, status) = (text.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let name = file_name(&text);
            status.set(match dom::download(&name, &text, "application/toml") {
                Ok(()) => format!("The rule was downloaded as {name}."),
                Err(e) => format!("The download failed: {e}."),
            });
        })
    };
    html! {
        <div class="draft-editor">
            if !text.is_empty() {
                <label for="draft-text">{ "Rule draft (TOML, as midtriage check-rules reads it). Write its title, summary and resolution in your own words before you share it." }</label>
                <textarea id="draft-text" rows="18" spellcheck="false" value={(**text).clone()} oninput={on_input} />
                <div class="nav-buttons">
                    <button type="button" class="primary" id="draft-run" onclick={on_run}>{ "Run again with this rule" }</button>
                    <button type="button" class="secondary" id="draft-download" onclick={on_download}>{ "Download .toml" }</button>
                </div>
            }
            <p class="hint" id="draft-status" role="status">{ (**status).clone() }</p>
        </div>
    }
}

/// The draft for entry `i`, from its first example; the other lines known of the same file
/// (the upgrade's phase lines, the other entries' examples) are the candidates for its quiet
/// sample.
fn draft(
    entries: &[Unrecognised],
    kinds: &[(String, FileKind)],
    lines: &[(String, String)],
    i: usize,
) -> Result<String, String> {
    let e = entries[i]
        .examples
        .first()
        .ok_or("this entry has no example to draft from")?;
    let kind = kinds
        .iter()
        .find(|(name, _)| *name == e.file)
        .map_or(FileKind::Unknown, |(_, k)| *k);
    let (first, next) = match e.text.split_once('\n') {
        Some((a, b)) => (a.trim_end_matches('\r'), Some(b)),
        None => (e.text.as_str(), None),
    };
    let others: Vec<&str> = lines
        .iter()
        .filter(|(file, _)| *file == e.file)
        .map(|(_, text)| text.as_str())
        .chain(
            entries
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .flat_map(|(_, u)| &u.examples)
                .filter(|x| x.file == e.file)
                .map(|x| x.text.lines().next().unwrap_or("")),
        )
        .collect();
    midtriage_engine::draft::compose(&e.file, kind, e.line, first, next, &others, None)
        .map(|d| d.toml)
        .map_err(|e| e.to_string())
}

/// The rules file's name: the drafted rule's id, `.toml`.
fn file_name(toml: &str) -> String {
    let id = toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("id = \""))
        .and_then(|rest| rest.split('"').next())
        .filter(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
        .unwrap_or("my-rule");
    format!("{id}.toml")
}

fn seen(u: &Unrecognised) -> String {
    let times = match (u.first, u.last) {
        (Some(f), Some(l)) if f == l => format!(", at {f}"),
        (Some(f), Some(l)) => format!(", first at {f}, last at {l}"),
        _ => String::new(),
    };
    format!(
        "Seen {}{times}.",
        if u.count == 1 {
            "once".to_string()
        } else {
            format!("{} times", u.count)
        }
    )
}

fn place(e: &Example) -> String {
    let base = e.file.rsplit(['/', '\\']).next().unwrap_or(&e.file);
    format!("{base}, line {}", e.line)
}

fn example_text(e: &Example) -> String {
    let mut out = e.text.clone();
    for l in &e.more {
        out.push('\n');
        out.push_str(l);
    }
    out
}

fn level_name(l: TroubleLevel) -> &'static str {
    match l {
        TroubleLevel::Error => "error",
        TroubleLevel::Exception => "exception",
        TroubleLevel::Warning => "warning",
    }
}

fn level_class(l: TroubleLevel) -> &'static str {
    match l {
        TroubleLevel::Error => "level-error",
        TroubleLevel::Exception => "level-exception",
        TroubleLevel::Warning => "level-warning",
    }
}
