//! The list of steps: where the user is, and a way to go back to any answer.

use yew::prelude::*;

use crate::state::Step;

/// Props of the step list.
#[derive(Properties, PartialEq)]
pub struct StepperProps {
    /// The current step.
    pub current: Step,
    /// Go to a step.
    pub on_goto: Callback<Step>,
}

/// The step list.
#[function_component(Stepper)]
pub fn stepper(props: &StepperProps) -> Html {
    html! {
        <nav class="stepper" aria-label="Troubleshooting steps">
            <ol>
            { for Step::ALL.into_iter().map(|step| {
                let on_goto = props.on_goto.clone();
                let current = step == props.current;
                let class = classes!("stepper-item", current.then_some("current"), (step < props.current).then_some("done"));
                html! {
                    <li class={class}>
                        <button type="button" aria-current={current.then_some("step")} onclick={move |_| on_goto.emit(step)}>
                            <span class="stepper-number" aria-hidden="true">{ step.index() }</span>
                            <span class="stepper-title">{ step.title() }</span>
                        </button>
                    </li>
                }
            }) }
            </ol>
        </nav>
    }
}
