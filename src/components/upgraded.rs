//! Step 1: was the instance upgraded recently? From pasted Upgrade History rows or a plain answer.

use midtriage_engine::render::plural;
use midtriage_engine::version::find_versions;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::{heading, kb};
use crate::answers::{newest_version, Upgraded};

/// Props of step 1.
#[derive(Properties, PartialEq)]
pub struct UpgradedProps {
    /// The Upgrade History rows pasted.
    pub history: String,
    /// The instance's version, as found or typed.
    pub instance_version: String,
    /// The direct answer.
    pub upgraded: Upgraded,
    /// The pasted rows were edited.
    pub on_history: Callback<String>,
    /// The instance's version was edited.
    pub on_instance_version: Callback<String>,
    /// A direct answer was chosen.
    pub on_upgraded: Callback<Upgraded>,
}

/// Step 1.
#[function_component(UpgradedStep)]
pub fn upgraded_step(props: &UpgradedProps) -> Html {
    let on_history = props
        .on_history
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    let on_version = props
        .on_instance_version
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let found = find_versions(&props.history);
    let newest = newest_version(&props.history).map(|(raw, _)| raw);
    let choice = |value: Upgraded, label: &str, id: &str| {
        let choose = props.on_upgraded.reform(move |_: Event| value);
        html! {
            <div class="check">
                <input type="radio" name="upgraded" id={id.to_string()} checked={props.upgraded == value}
                    onchange={choose} />
                <label for={id.to_string()}>{ label }</label>
            </div>
        }
    };
    html! {
        <section aria-labelledby="step-heading">
            { heading(1, "Was the instance upgraded or patched recently?") }
            <p>{ "In the instance, open " }<strong>{ "System Diagnostics > Upgrade History" }</strong>{ ". The " }<strong>{ "To" }</strong>{ " column names the version each upgrade went to, such as glide-zurich-07-01-2025__patch4-…zip. Copy the top rows and paste them here; everything around the versions is ignored, and nothing you paste leaves this page." }</p>
            <label for="history">{ "Upgrade History rows (optional)" }</label>
            <textarea id="history" rows="4" spellcheck="false" value={props.history.clone()} oninput={on_history}
                placeholder="glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip  Complete  2025-11-25 01:40:00" />
            if !found.is_empty() {
                <table class="versions">
                    <caption>{ format!("{} found; the newest is the instance's current version", plural(found.len(), "version")) }</caption>
                    <thead><tr><th scope="col">{ "To" }</th><th scope="col">{ "Family" }</th><th scope="col">{ "Patch" }</th><th scope="col">{ "Hotfix" }</th><th scope="col">{ "Built" }</th></tr></thead>
                    <tbody>
                    { for found.iter().map(|(raw, v)| {
                        let is_newest = newest.as_deref() == Some(raw.as_str());
                        let patch = v.patch.map(|p| format!("{}{}", p.number, p.letter.map(String::from).unwrap_or_default())).unwrap_or_else(|| "-".into());
                        let hotfix = v.patch.and_then(|p| p.hotfix.map(|h| format!("{h}{}", p.hotfix_letter.map(String::from).unwrap_or_default()))).unwrap_or_else(|| "-".into());
                        let built = v.build.map(|(d, t)| format!("{:04}-{:02}-{:02} {:02}:{:02}", d.year, d.month, d.day, t / 100, t % 100)).unwrap_or_else(|| "-".into());
                        html! {
                            <tr class={classes!(is_newest.then_some("newest"))}>
                                <td><code>{ raw.clone() }</code>{ if is_newest { html!{ <span class="badge">{ "newest" }</span> } } else { html!{} } }</td>
                                <td>{ v.family_name() }</td><td>{ patch }</td><td>{ hotfix }</td><td>{ built }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
            } else if !props.history.trim().is_empty() {
                <p class="notice" role="status">{ "No version value was found in that text. Upgrade History values start with glide- and end with .zip; answer below instead if you cannot copy them." }</p>
            }
            <fieldset>
                <legend>{ "Or answer directly" }</legend>
                { choice(Upgraded::Yes, "Yes, it was upgraded or patched recently", "upgraded-yes") }
                { choice(Upgraded::No, "No", "upgraded-no") }
                { choice(Upgraded::NotSure, "I am not sure", "upgraded-unsure") }
            </fieldset>
            if props.upgraded == Upgraded::No {
                <div class="branch" role="note">
                    <h3>{ "Probably not an upgrade failure" }</h3>
                    <p>{ "Without a recent instance upgrade there was nothing for the MID Server to upgrade to, so its trouble most likely has another cause. Work through the general MID Server troubleshooting guide (" }{ kb("KB0597571") }{ ") and the certificate checks (" }{ kb("KB0863673") }{ "). You can still analyse the logs: midtriage also recognises connectivity, certificate, credential and host problems." }</p>
                </div>
            }
            <label for="instance-version">{ "Instance version (optional)" }</label>
            <input id="instance-version" type="text" spellcheck="false" value={props.instance_version.clone()} oninput={on_version}
                aria-describedby="instance-version-hint" />
            <p class="hint" id="instance-version-hint">{ "Filled in from the newest pasted row. A build tag from stats.do or a MID buildstamp works too." }</p>
        </section>
    }
}
