//! The browser side of [`crate::embed`]: finds the parent, checks its origin, says hello,
//! answers its messages and reports the content height. Does nothing outside an iframe or for a
//! parent whose origin is not allowed.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, ResizeObserver, Window};
use yew::UseReducerHandle;

use crate::embed::{allowed, Inbound, Outbound, Summary, PROTOCOL};
use crate::protocol::{from_js, to_js};
use crate::state::State;

fn post(parent: &Window, origin: &str, msg: &Outbound) {
    if let Ok(value) = to_js(msg) {
        let _ = parent.post_message(&value, origin);
    }
}

/// The origin of the page that frames this one.
fn parent_origin(window: &Window) -> Option<String> {
    // location.ancestorOrigins (Chromium, Safari) names the parent even when referrers are cut.
    let ancestors = js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into()).ok();
    let first = ancestors
        .and_then(|a| js_sys::Reflect::get(&a, &0.into()).ok())
        .and_then(|v| v.as_string());
    first.or_else(|| {
        let referrer = window.document()?.referrer();
        web_sys::Url::new(&referrer).ok().map(|u| u.origin())
    })
}

/// Starts the portal API; `latest` always holds the newest state handle.
pub fn start(latest: Rc<RefCell<UseReducerHandle<State>>>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(parent) = window.parent().ok().flatten() else {
        return;
    };
    if js_sys::Object::is(&parent, &window) {
        return;
    }
    let own = window.location().origin().unwrap_or_default();
    let listed = window
        .document()
        .and_then(|d| {
            d.query_selector("meta[name=midtriage-embed-origins]")
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .unwrap_or_default();
    let Some(target) = parent_origin(&window).filter(|o| allowed(o, &listed, &own)) else {
        return;
    };

    let on_message = {
        let (parent, target, listed, own) =
            (parent.clone(), target.clone(), listed.clone(), own.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
            if !from_parent || !allowed(&e.origin(), &listed, &own) {
                return;
            }
            let Ok(msg) = from_js::<Inbound>(e.data()) else {
                return;
            };
            let handle = latest.borrow().clone();
            match msg {
                Inbound::Prefill(p) => {
                    if let Some(actions) = p.actions(&handle.answers) {
                        for a in actions {
                            handle.dispatch(a);
                        }
                    }
                }
                Inbound::SummaryRequest { id } => post(
                    &parent,
                    &target,
                    &Outbound::Summary(Summary::of(&handle, id)),
                ),
            }
        })
    };
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    on_message.forget();

    let last = Rc::new(RefCell::new(0u32));
    let report = {
        let (parent, target) = (parent.clone(), target.clone());
        Closure::<dyn FnMut()>::new(move || {
            let root = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(".midtriage.app").ok().flatten());
            if let Some(root) = root {
                let height = root.get_bounding_client_rect().height().ceil() as u32;
                if height != *last.borrow() {
                    *last.borrow_mut() = height;
                    post(&parent, &target, &Outbound::Height { height });
                }
            }
        })
    };
    if let (Ok(observer), Some(root)) = (
        ResizeObserver::new(report.as_ref().unchecked_ref()),
        window
            .document()
            .and_then(|d| d.query_selector(".midtriage.app").ok().flatten()),
    ) {
        observer.observe(&root);
    }
    report.forget();
    post(
        &parent,
        &target,
        &Outbound::Ready {
            version: midtriage_engine::VERSION.into(),
            protocol: PROTOCOL,
        },
    );
}
