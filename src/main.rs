//! Entry point of the web app and of its analysis worker: one WebAssembly module for both.
//! In a worker it serves analyses; on a page it renders into `<div id="midtriage">` when a
//! portal page has one (mount mode, see mount.js), else into the page's body.

fn main() {
    if midtriage_web::worker::in_worker() {
        midtriage_web::worker::start();
        return;
    }
    midtriage_web::crash::install();
    let mount = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("midtriage"));
    match mount {
        Some(root) => yew::Renderer::<midtriage_web::App>::with_root(root).render(),
        None => yew::Renderer::<midtriage_web::App>::new().render(),
    };
}
