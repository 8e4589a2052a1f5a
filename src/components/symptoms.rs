//! Step 0: what the user sees.

use yew::prelude::*;

use std::collections::BTreeSet;

use super::{heading, kb};
use crate::answers::Symptom;

/// Props of step 0.
#[derive(Properties, PartialEq)]
pub struct SymptomsProps {
    /// The symptoms ticked.
    pub selected: BTreeSet<Symptom>,
    /// Ticks or unticks one.
    pub on_toggle: Callback<Symptom>,
}

/// Step 0.
#[function_component(SymptomsStep)]
pub fn symptoms_step(props: &SymptomsProps) -> Html {
    html! {
        <section aria-labelledby="step-heading">
            { heading(0, "What do you see?") }
            <p>{ "A MID Server upgrades itself each time its instance is upgraded or patched, at least once a quarter. When that automatic upgrade fails, it usually shows as one of the symptoms below (" }{ kb("KB0596459") }{ "). Tick the ones you see; the later steps use them." }</p>
            <fieldset>
                <legend>{ "Symptoms" }</legend>
                { for Symptom::ALL.into_iter().map(|s| {
                    let id = format!("symptom-{}", s.key());
                    let toggle = props.on_toggle.reform(move |_: Event| s);
                    html! {
                        <div class="check">
                            <input type="checkbox" id={id.clone()} checked={props.selected.contains(&s)}
                                onchange={toggle} />
                            <label for={id}>{ s.label() }</label>
                        </div>
                    }
                }) }
            </fieldset>
            <p class="hint">{ "None of these? You can still go on and analyse the logs." }</p>
        </section>
    }
}
