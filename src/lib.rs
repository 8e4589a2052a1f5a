//! midtriage in the browser: a Yew app on the shared engine.
//!
//! This first cut shows which engine and catalogue the page carries; the guided troubleshooter
//! is built on top of it.

use midtriage_engine::{Catalogue, VERSION};
use yew::prelude::*;

/// What the page says about the engine it was built with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInfo {
    /// The engine's version.
    pub version: &'static str,
    /// How many rules the built-in catalogue holds.
    pub rules: usize,
}

impl EngineInfo {
    /// Reads the facts from the built-in catalogue.
    pub fn builtin() -> Self {
        EngineInfo {
            version: VERSION,
            rules: Catalogue::builtin().rules.len(),
        }
    }
}

/// The root component.
#[function_component(App)]
pub fn app() -> Html {
    let info = use_memo((), |_| EngineInfo::builtin());
    html! {
        <main class="page">
            <header class="masthead">
                <h1>{ "midtriage" }</h1>
                <p class="tagline">{ "Diagnose failed ServiceNow MID Server upgrades from your own logs. Nothing leaves this browser." }</p>
            </header>
            <section class="card" aria-labelledby="engine-heading">
                <h2 id="engine-heading">{ "Engine" }</h2>
                <dl class="facts">
                    <dt>{ "Version" }</dt>
                    <dd id="engine-version">{ info.version }</dd>
                    <dt>{ "Rules in the catalogue" }</dt>
                    <dd id="rule-count">{ info.rules }</dd>
                </dl>
            </section>
        </main>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod wasm_tests;
