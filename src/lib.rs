//! midtriage in the browser: KB0596459's troubleshooting flow as a Yew app on the shared
//! engine. Logs are analysed in a Web Worker ([`worker`]) so the page never freezes; all UI
//! state changes go through the reducer in [`state`].

pub mod answers;
pub mod app;
pub mod bridge;
pub mod components;
pub mod crash;
pub mod dom;
pub mod embed;
pub mod hooks;
pub mod pool;
pub mod portal;
pub mod protocol;
pub mod report;
pub mod sample;
pub mod state;
pub mod worker;

pub use app::App;

#[cfg(all(test, target_arch = "wasm32"))]
mod wasm_tests;
