//! Small browser helpers: the URL, the clock, focus, clipboard and downloads. None of them
//! makes a network request.

use wasm_bindgen::JsCast;

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The page's query string (`?step=analyse`).
pub fn search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's fragment (`#status=down…`).
pub fn hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the fragment without adding a history entry or reloading.
pub fn set_hash(fragment: &str) {
    if let Some(history) = window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("#{fragment}")),
        );
    }
}

/// The cores the browser says the machine has (`navigator.hardwareConcurrency`), 1 if unknown.
pub fn cores() -> f64 {
    window().map_or(1.0, |w| w.navigator().hardware_concurrency())
}

/// Milliseconds since the page started.
pub fn now() -> f64 {
    window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Calls `callback` in a later task (`setTimeout(0)`), after pending renders; at once when the
/// page has no timer.
pub fn later(callback: yew::Callback<()>) {
    use wasm_bindgen::JsCast;
    let run = callback.clone();
    let closure = wasm_bindgen::closure::Closure::once_into_js(move || run.emit(()));
    let scheduled = window().and_then(|w| {
        w.set_timeout_with_callback_and_timeout_and_arguments_0(closure.unchecked_ref(), 0)
            .ok()
    });
    if scheduled.is_none() {
        callback.emit(());
    }
}

/// Moves keyboard focus to the element with `id`.
pub fn focus(id: &str) {
    if let Some(el) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        // An SVG element (a timeline mark) is not an HtmlElement, but has focus() too.
        if let Ok(focus) = js_sys::Reflect::get(&el, &"focus".into()) {
            if let Some(f) = focus.dyn_ref::<js_sys::Function>() {
                let _ = f.call0(&el);
            }
        }
    }
}

/// Copies text to the clipboard; the promise's outcome is reported through `done`.
pub fn copy(text: &str, done: impl FnOnce(bool) + 'static) {
    let Some(clipboard) = window().map(|w| w.navigator().clipboard()) else {
        done(false);
        return;
    };
    let promise = clipboard.write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        done(wasm_bindgen_futures::JsFuture::from(promise).await.is_ok());
    });
}

/// Offers `text` as a file download, built in the page from a `blob:` URL.
pub fn download(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let document = window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "cannot build the file")?;
    let url =
        web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "cannot build the file")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no anchor")?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// A text as a `Blob`, for pasted text and the bundled sample.
pub fn text_blob(text: &str) -> Option<web_sys::Blob> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain");
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()
}

/// Formats a byte count: `512 B`, `3.4 KB`, `120.0 MB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", fixed(b as f64 / 1024.0, 1)),
        b if b < 1024 * 1024 * 1024 => format!("{} MB", fixed(b as f64 / 1048576.0, 1)),
        b => format!("{} GB", fixed(b as f64 / 1073741824.0, 2)),
    }
}

/// `x` with `places` decimals, rounded half away from zero. Integer formatting only: the
/// standard library's fixed-precision float formatting is large in WebAssembly.
pub fn fixed(x: f64, places: u32) -> String {
    let scale = 10u64.pow(places.min(6));
    let n = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && n > 0 { "-" } else { "" };
    if scale == 1 {
        format!("{sign}{n}")
    } else {
        let width = places.min(6) as usize;
        format!("{sign}{}.{:0width$}", n / scale, n % scale)
    }
}

fn global_property(name: &str) -> Option<wasm_bindgen::JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &wasm_bindgen::JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// A JavaScript error (or thrown value) as text.
pub fn describe(e: wasm_bindgen::JsValue) -> String {
    use wasm_bindgen::JsCast;
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// wasm-bindgen's glue when it is embedded in the page (the offline single file), set by its
/// start script.
pub fn embedded_glue() -> Option<String> {
    global_property("__midtriageGlue")?.as_string()
}

/// For the offline single file: the promise of its own SHA-256 (computed by its start script).
pub fn bundle_hash() -> Option<js_sys::Promise> {
    let bundle = global_property("__midtriageBundle")?;
    js_sys::Reflect::get(&bundle, &"sha256".into())
        .ok()?
        .dyn_into()
        .ok()
}

/// How the app was opened.
pub fn mode() -> &'static str {
    if global_property("__midtriageBundle").is_some() {
        "offline single file"
    } else if global_property("__midtriageBase").is_some() {
        "mounted in a portal page"
    } else {
        "hosted page"
    }
}

#[cfg(test)]
mod tests {
    use super::{fixed, size};

    #[test]
    fn numbers_are_shown_with_fixed_decimals() {
        assert_eq!(fixed(0.0, 1), "0.0");
        assert_eq!(fixed(2.25, 1), "2.3");
        assert_eq!(fixed(12.04, 1), "12.0");
        assert_eq!(fixed(99.95, 0), "100");
        assert_eq!(fixed(1.005, 2), "1.00");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-3.5, 1), "-3.5");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(3482), "3.4 KB");
        assert_eq!(size(120 * 1048576), "120.0 MB");
        assert_eq!(size(3 * 1073741824 / 2), "1.50 GB");
    }
}
