//! Copy or download the report as Markdown, optionally redacted.

use std::rc::Rc;

use midtriage_engine::Analysis;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::answers::Answers;
use crate::dom;
use crate::report::markdown;

/// Props of the export panel.
#[derive(Properties, PartialEq)]
pub struct ExportProps {
    /// The analysis with the answers applied.
    pub analysis: Rc<Analysis>,
    /// The answers.
    pub answers: Answers,
    /// Whether to redact.
    pub redact: bool,
    /// The redact switch was flipped.
    pub on_redact: Callback<bool>,
}

/// The export panel.
#[function_component(Export)]
pub fn export(props: &ExportProps) -> Html {
    let message = use_state(String::new);
    // The report is made when asked for: redacting every evidence line takes a while, and the
    // results must appear at once.
    let report = {
        let (analysis, answers, redact) =
            (props.analysis.clone(), props.answers.clone(), props.redact);
        move || markdown(&analysis, &answers, redact)
    };
    let on_copy = {
        let (report, message) = (report.clone(), message.clone());
        Callback::from(move |_| {
            let report = report();
            let message = message.clone();
            dom::copy(&report, move |ok| {
                message.set(
                    if ok {
                        "Report copied to the clipboard."
                    } else {
                        "The browser did not allow copying; use Download instead."
                    }
                    .into(),
                )
            });
        })
    };
    let on_download = {
        let message = message.clone();
        Callback::from(move |_| {
            let report = report();
            message.set(
                match dom::download("midtriage-report.md", &report, "text/markdown") {
                    Ok(()) => "Report downloaded as midtriage-report.md.".into(),
                    Err(e) => format!("The download failed: {e}."),
                },
            )
        })
    };
    let on_redact = props
        .on_redact
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="export">
            <h4>{ "Share the result" }</h4>
            <div class="check">
                <input type="checkbox" id="redact" checked={props.redact} onchange={on_redact} />
                <label for="redact">{ "Redact host names, instance URLs, IP addresses, user names and folder paths" }</label>
            </div>
            <div class="actions">
                <button type="button" class="secondary" id="copy-report" onclick={on_copy}>{ "Copy report" }</button>
                <button type="button" class="secondary" id="download-report" onclick={on_download}>{ "Download report" }</button>
            </div>
            <p class="hint" role="status">{ (*message).clone() }</p>
        </div>
    }
}
