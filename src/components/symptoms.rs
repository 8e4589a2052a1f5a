//! Step 0: what the user sees.

use yew::prelude::*;

use super::{heading, kb, StepProps};
use crate::answers::Symptom;
use crate::state::Action;

/// Step 0.
#[function_component(SymptomsStep)]
pub fn symptoms_step(props: &StepProps) -> Html {
    let state = &props.state;
    html! {
        <section aria-labelledby="step-heading">
            { heading(0, "What do you see?") }
            <p>{ "A MID Server upgrades itself each time its instance is upgraded or patched, at least once a quarter. When that automatic upgrade fails, it usually shows as one of the symptoms below (" }{ kb("KB0596459") }{ "). Tick the ones you see; the later steps use them." }</p>
            <fieldset>
                <legend>{ "Symptoms" }</legend>
                { for Symptom::ALL.into_iter().map(|s| {
                    let id = format!("symptom-{}", s.key());
                    let st = state.clone();
                    html! {
                        <div class="check">
                            <input type="checkbox" id={id.clone()} checked={state.answers.symptoms.contains(&s)}
                                onchange={move |_| st.dispatch(Action::ToggleSymptom(s))} />
                            <label for={id}>{ s.label() }</label>
                        </div>
                    }
                }) }
            </fieldset>
            <p class="hint">{ "None of these? You can still go on and analyse the logs." }</p>
        </section>
    }
}
