//! Step 2: the MID Server's status, and what it says about the failed phase.

use midtriage_engine::Status;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::heading;

/// Props of step 2.
#[derive(Properties, PartialEq)]
pub struct StatusProps {
    /// The status chosen.
    pub status: Option<Status>,
    /// The MID's version as typed.
    pub mid_version: String,
    /// Chooses a status.
    pub on_status: Callback<Status>,
    /// The MID's version was edited.
    pub on_mid_version: Callback<String>,
}

/// Step 2.
#[function_component(StatusStep)]
pub fn status_step(props: &StatusProps) -> Html {
    let on_version = props
        .on_mid_version
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <section aria-labelledby="step-heading">
            { heading(2, "What is the MID Server's status?") }
            <p>{ "In the instance, open " }<strong>{ "MID Server > Servers" }</strong>{ " and find the MID Server. Its Status column tells which part of the upgrade most likely failed, and which logs to get next." }</p>
            <fieldset>
                <legend>{ "Status" }</legend>
                { for Status::ALL.into_iter().map(|s| {
                    let choose = props.on_status.reform(move |_: Event| s);
                    let id = format!("status-{}", s.name());
                    html! {
                        <div class="check">
                            <input type="radio" name="status" id={id.clone()} checked={props.status == Some(s)}
                                onchange={choose} />
                            <label for={id}>{ s.label() }</label>
                        </div>
                    }
                }) }
            </fieldset>
            if let Some(s) = props.status {
                <div class="explain" role="note">
                    <h3>{ format!("What {} means", s.label()) }</h3>
                    <p>{ s.meaning() }</p>
                    <p>{ "Most likely phases: " }{ s.likely_phases().iter().map(|p| p.label()).collect::<Vec<_>>().join(", ") }{ "." }</p>
                    <p>{ "Logs that matter: " }{ s.logs() }</p>
                </div>
            }
            <label for="mid-version">{ "MID Server version (optional)" }</label>
            <input id="mid-version" type="text" spellcheck="false" value={props.mid_version.clone()} oninput={on_version}
                aria-describedby="mid-version-hint" />
            <p class="hint" id="mid-version-hint">{ "From the MID Server record's Version field, e.g. zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900. The logs usually show it too." }</p>
        </section>
    }
}
