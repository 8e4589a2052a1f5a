//! Step 2: the MID Server's status, and what it says about the failed phase.

use midtriage_engine::Status;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{heading, StepProps};
use crate::state::Action;

/// Step 2.
#[function_component(StatusStep)]
pub fn status_step(props: &StepProps) -> Html {
    let state = &props.state;
    let on_version = {
        let st = state.clone();
        Callback::from(move |e: InputEvent| {
            st.dispatch(Action::SetMidVersion(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    html! {
        <section aria-labelledby="step-heading">
            { heading(2, "What is the MID Server's status?") }
            <p>{ "In the instance, open " }<strong>{ "MID Server > Servers" }</strong>{ " and find the MID Server. Its Status column tells which part of the upgrade most likely failed, and which logs to get next." }</p>
            <fieldset>
                <legend>{ "Status" }</legend>
                { for Status::ALL.into_iter().map(|s| {
                    let st = state.clone();
                    let id = format!("status-{}", s.name());
                    html! {
                        <div class="check">
                            <input type="radio" name="status" id={id.clone()} checked={state.answers.status == Some(s)}
                                onchange={move |_| st.dispatch(Action::SetStatus(Some(s)))} />
                            <label for={id}>{ s.label() }</label>
                        </div>
                    }
                }) }
            </fieldset>
            if let Some(s) = state.answers.status {
                <div class="explain" role="note">
                    <h3>{ format!("What {} means", s.label()) }</h3>
                    <p>{ s.meaning() }</p>
                    <p>{ "Most likely phases: " }{ s.likely_phases().iter().map(|p| p.label()).collect::<Vec<_>>().join(", ") }{ "." }</p>
                    <p>{ "Logs that matter: " }{ s.logs() }</p>
                </div>
            }
            <label for="mid-version">{ "MID Server version (optional)" }</label>
            <input id="mid-version" type="text" spellcheck="false" value={state.answers.mid_version.clone()} oninput={on_version}
                aria-describedby="mid-version-hint" />
            <p class="hint" id="mid-version-hint">{ "From the MID Server record's Version field, e.g. zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900. The logs usually show it too." }</p>
        </section>
    }
}
