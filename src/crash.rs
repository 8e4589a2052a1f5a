//! What the page shows if the app itself fails. After a panic the app's state cannot be
//! trusted, so the panel is built with plain DOM calls: it says that the answers are kept (they
//! live in the page's address) and links to the same address to start again. Nothing of the
//! logs or of the panic's message is shown, only where in the code it happened.

use wasm_bindgen::JsCast;

/// Installs the panic hook (once, at start-up; through Yew, which would otherwise put its own).
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        show(&place);
    }));
}

/// Puts the panel at the top of the app (or of the page).
fn show(place: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(doc) = window.document() else {
        return;
    };
    if doc.get_element_by_id("app-failed").is_some() {
        return;
    }
    let location = window.location();
    let search = location.search().unwrap_or_default();
    let again = format!(
        "{}{}{}recovered=1{}",
        location.pathname().unwrap_or_default(),
        search,
        if search.is_empty() { "?" } else { "&" },
        location.hash().unwrap_or_default()
    );
    let element = |tag: &str, text: &str| {
        let e = doc.create_element(tag).ok()?;
        e.set_text_content(Some(text));
        Some(e)
    };
    let (Some(panel), Some(head), Some(body), Some(link)) = (
        element("div", ""),
        element("strong", "midtriage stopped because of an internal error; your answers are kept."),
        element(
            "p",
            &format!(" They are in this page's address. Start again from them; the log files must be chosen again. (Where: {place}.)"),
        ),
        element("a", "Start again with my answers"),
    ) else {
        return;
    };
    panel.set_id("app-failed");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("class", "notice error");
    let _ = link.set_attribute("href", &again);
    let _ = link.set_attribute("id", "app-restart");
    let _ = body.insert_before(&head, body.first_child().as_ref());
    let _ = panel.append_child(&body);
    let _ = panel.append_child(&link);
    let root = doc
        .get_element_by_id("midtriage")
        .or_else(|| doc.body().map(|b| b.unchecked_into()));
    if let Some(root) = root {
        let _ = root.insert_before(&panel, root.first_child().as_ref());
    }
}
