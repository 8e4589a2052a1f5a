//! About this copy: version, how it was opened, what it does with data, and, for the offline
//! single file, the file's own SHA-256 so a user can check the copy they were given.

use yew::prelude::*;

use super::kb;
use crate::dom;

/// Props of the About panel.
#[derive(Properties, PartialEq)]
pub struct AboutProps {
    /// The number of rules, once the worker has loaded.
    pub rules: Option<usize>,
    /// The offline file's SHA-256, once computed.
    pub sha256: Option<String>,
}

/// The About panel, folded by default.
#[function_component(About)]
pub fn about(props: &AboutProps) -> Html {
    let rules = props
        .rules
        .map_or_else(|| "…".to_string(), |n| n.to_string());
    html! {
        <details class="about" id="about">
            <summary>{ "About this copy" }</summary>
            <dl class="facts">
                <dt>{ "Version" }</dt><dd>{ "midtriage " }<span id="engine-version">{ midtriage_engine::VERSION }</span></dd>
                <dt>{ "Rules" }</dt><dd><span id="rule-count">{ rules }</span>{ " causes, following " }{ kb("KB0596459") }</dd>
                <dt>{ "Opened as" }</dt><dd id="about-mode">{ dom::mode() }</dd>
                if let Some(hash) = &props.sha256 {
                    <dt>{ "SHA-256 of this file" }</dt>
                    <dd><code id="about-sha256">{ hash.clone() }</code></dd>
                }
            </dl>
            if props.sha256.is_some() {
                <p class="hint">{ "Compare it with the midtriage.html.sha256 published with this file, or compute it yourself: " }<code>{ "sha256sum midtriage.html" }</code>{ " (Linux, macOS) or " }<code>{ "Get-FileHash midtriage.html" }</code>{ " (Windows PowerShell). A different value means the copy was changed." }</p>
            }
            <p class="hint">{ "Your logs are read and analysed inside this browser tab and never sent anywhere: after the page has loaded it makes no network request. Your answers are kept only in the page's address (after the #), never the log content." }</p>
        </details>
    }
}
