//! The page's components, one small file each.

mod about;
mod analyse;
mod export;
mod finding;
mod logs;
mod results;
mod status;
mod stepper;
mod symptoms;
mod timeline;
mod unexplained;
mod upgraded;

pub use about::About;
pub use analyse::AnalyseStep;
pub use logs::LogsStep;
pub use status::StatusStep;
pub use stepper::Stepper;
pub use symptoms::SymptomsStep;
pub use upgraded::UpgradedStep;

use yew::prelude::*;

/// The heading every step starts with; focus moves here when the step changes.
pub fn heading(number: usize, title: &str) -> Html {
    html! { <h2 id="step-heading" tabindex="-1">{ format!("Step {number}: {title}") }</h2> }
}

/// A link to a ServiceNow KB article, opened in a new tab.
pub fn kb(number: &str) -> Html {
    html! {
        <a href={midtriage_engine::render::link_url(number)} target="_blank" rel="noopener noreferrer">{ number }</a>
    }
}
