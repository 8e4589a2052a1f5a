//! The timeline above the causes: one lane per log, the events as marks (shape for the kind,
//! colour for the severity), the error counts as a strip over the lanes, and a time axis.
//! Hover or focus shows an event's line (as text); click or Enter opens it in the results;
//! dragging across the plot (or the zoom buttons) narrows the time range, which the results'
//! evidence follows. Arrow keys move between marks; a table lists the same events.
//!
//! The contract for tests and portals: the section carries `data-timeline`, each mark in the
//! `<svg>` `data-event` (its kind), `data-event-file` and `data-event-line`.

mod marks;
mod scale;

use std::rc::Rc;

use midtriage_engine::render::{event_line, timeline_summary};
use midtriage_engine::timeline::{Event, Timeline};
use midtriage_engine::{Analysis, EventKind};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use marks::{hollow, severity_class, Shape};
pub use scale::when;
use scale::{ticks, Scale};

/// Heights, in pixels: the error strip, a lane's label and row, the axis.
const STRIP: f64 = 30.0;
const LABEL: f64 = 14.0;
const ROW: f64 = 24.0;
const AXIS: f64 = 26.0;
/// Space on each side of the plot.
const PAD: f64 = 12.0;
/// A drag shorter than this (pixels) is a click.
const DRAG_MIN: f64 = 6.0;

/// Props of the timeline.
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The analysis whose timeline is drawn (shared with the results, not copied).
    pub analysis: Rc<Analysis>,
    /// The time range shown, on the axis; none for all of it.
    pub range: Option<(i64, i64)>,
    /// A new range was chosen (none: all of it).
    pub on_range: Callback<Option<(i64, i64)>>,
    /// An event was opened (its index): the results show what it belongs to.
    pub on_open: Callback<usize>,
}

/// The timeline section; nothing when the logs show no event.
#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineProps) -> Html {
    let tl = &props.analysis.timeline;
    let width = use_state(|| 720.0f64);
    let hovered = use_state(|| None::<usize>);
    let current = use_state(|| None::<usize>);
    let drag = use_state(|| None::<(f64, f64)>);
    let table = use_state(|| false);
    let plot = use_node_ref();
    use_resize(&plot, &width);
    if tl.events.is_empty() {
        return html! {};
    }
    let full = tl.span.as_ref().map(|s| (s.start, s.end));
    let window = props.range.or(full.map(|(a, b)| {
        let pad = ((b - a) / 50).max(1);
        (a - pad, b + pad)
    }));
    let w = (*width).max(280.0);
    let scale = window.map(|(a, b)| Scale::new(a, b, PAD, w - PAD));
    let lanes = tl.lanes.len().max(1);
    let height = STRIP + lanes as f64 * (LABEL + ROW) + AXIS;
    // The events on the plot, in time order (the engine's order).
    let shown: Vec<usize> = (0..tl.events.len())
        .filter(|&i| {
            let e = &tl.events[i];
            e.at.zip(scale).is_some_and(|(at, s)| s.shows(at))
        })
        .collect();
    let focus_index = current
        .filter(|c| shown.contains(c))
        .or_else(|| tl.failure.filter(|f| shown.contains(f)))
        .or_else(|| shown.first().copied());

    // The marks' events are handled on the <svg>, by the mark's `data-index`.
    let on_key = {
        let (current, shown) = (current.clone(), shown.clone());
        let on_open = props.on_open.clone();
        Callback::from(move |e: KeyboardEvent| {
            let at = focus_index.and_then(|f| shown.iter().position(|&i| i == f));
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => at.map(|p| (p + 1).min(shown.len() - 1)),
                "ArrowLeft" | "ArrowUp" => at.map(|p| p.saturating_sub(1)),
                "Home" => Some(0),
                "End" => Some(shown.len().saturating_sub(1)),
                "Enter" | " " => {
                    if let Some(i) = focus_index {
                        e.prevent_default();
                        on_open.emit(i);
                    }
                    return;
                }
                _ => return,
            };
            e.prevent_default();
            if let Some(i) = next.and_then(|p| shown.get(p).copied()) {
                current.set(Some(i));
                crate::dom::focus(&mark_id(i));
            }
        })
    };
    let on_click = {
        let (current, on_open) = (current.clone(), props.on_open.clone());
        Callback::from(move |e: MouseEvent| {
            if let Some(i) = index_of(&e) {
                current.set(Some(i));
                on_open.emit(i);
            }
        })
    };
    let on_over = {
        let hovered = hovered.clone();
        Callback::from(move |e: MouseEvent| hovered.set(index_of(&e)))
    };
    let on_focus = {
        let current = current.clone();
        Callback::from(move |e: FocusEvent| {
            if let Some(i) = index_of(&e) {
                current.set(Some(i));
            }
        })
    };
    // Dragging across the plot (not from a mark) chooses a time range.
    let x_of = {
        let plot = plot.clone();
        move |e: &PointerEvent| -> Option<f64> {
            let el = plot.cast::<web_sys::Element>()?;
            Some(f64::from(e.client_x()) - el.get_bounding_client_rect().left())
        }
    };
    let on_down = {
        let (drag, x_of) = (drag.clone(), x_of.clone());
        Callback::from(move |e: PointerEvent| {
            if e.button() == 0 && index_of(&e).is_none() {
                drag.set(x_of(&e).map(|x| (x, x)));
            }
        })
    };
    let on_move = {
        let (drag, x_of) = (drag.clone(), x_of);
        Callback::from(move |e: PointerEvent| {
            if let (Some((a, _)), Some(x)) = (*drag, x_of(&e)) {
                drag.set(Some((a, x)));
            }
        })
    };
    let on_up = {
        let drag = drag.clone();
        let on_range = props.on_range.clone();
        Callback::from(move |_: PointerEvent| {
            if let (Some((a, b)), Some(s)) = (*drag, scale) {
                if (a - b).abs() >= DRAG_MIN {
                    let (lo, hi) = (s.at(a.min(b)), s.at(a.max(b)));
                    on_range.emit(Some((lo, hi.max(lo + 1))));
                }
            }
            drag.set(None);
        })
    };
    let on_leave = {
        let (drag, hovered) = (drag.clone(), hovered.clone());
        Callback::from(move |_: PointerEvent| {
            drag.set(None);
            hovered.set(None);
        })
    };

    let zoom_in = {
        let on_range = props.on_range.clone();
        let centre = focus_index.and_then(|i| tl.events[i].at);
        Callback::from(move |_: MouseEvent| {
            let (Some((a, b)), Some((fa, fb))) = (window, full) else {
                return;
            };
            let half = ((b - a) / 4).max(5);
            let mid = centre
                .filter(|c| (a..=b).contains(c))
                .unwrap_or((a + b) / 2);
            on_range.emit(Some((
                (mid - half).max(fa - half),
                (mid + half).min(fb + half),
            )));
        })
    };
    let reset = props.on_range.reform(|_: MouseEvent| None);
    let toggle_table = {
        let table = table.clone();
        Callback::from(move |_: MouseEvent| table.set(!*table))
    };

    let shown_event = hovered.or(focus_index).map(|i| (i, &tl.events[i]));
    let lane_y = |lane: usize| STRIP + lane as f64 * (LABEL + ROW) + LABEL + ROW / 2.0;
    let mark = |i: usize| {
        let e = &tl.events[i];
        let (Some(at), Some(s)) = (e.at, scale) else {
            return html! {};
        };
        let failure = tl.failure == Some(i);
        let class = classes!(
            "mark",
            severity_class(e.severity),
            hollow(e.kind).then_some("hollow"),
            failure.then_some("failure"),
            (focus_index == Some(i)).then_some("current"),
        );
        html! {
            <g id={mark_id(i)} class={class} transform={format!("translate({} {})", s.x(at) as i32, lane_y(e.lane) as i32)}
                data-event={e.kind.name()} data-event-file={e.file.clone()} data-event-line={e.line.to_string()}
                data-index={i.to_string()} role="button" tabindex={if focus_index == Some(i) { "0" } else { "-1" }}
                aria-label={aria(e, failure)}>
                if failure { <circle class="halo" r="12" /> }
                <path d={Shape::of(e.kind).path()} />
            </g>
        }
    };
    let (wi, hi) = (w as i32, height as i32);
    let brush = drag
        .filter(|(a, b)| (a - b).abs() >= 1.0)
        .map(|(a, b)| {
            html! { <rect class="brush" x={(a.min(b) as i32).to_string()} y="0" width={((a - b).abs() as i32).to_string()} height={hi.to_string()} /> }
        });
    let summary = timeline_summary(tl);
    html! {
        <section class="timeline" data-timeline="" aria-labelledby="timeline-heading">
            <h4 id="timeline-heading">{ "Timeline" }</h4>
            { for summary.iter().map(|s| html! { <p class="hint">{ s.clone() }</p> }) }
            if !tl.notes.is_empty() {
                <ul class="timeline-notes">{ for tl.notes.iter().map(|n| html! { <li>{ n.clone() }</li> }) }</ul>
            }
            <div class="timeline-controls">
                <button type="button" class="secondary" id="timeline-zoom-in" onclick={zoom_in} disabled={scale.is_none()}>{ "Zoom in" }</button>
                <button type="button" class="secondary" id="timeline-reset" onclick={reset} disabled={props.range.is_none()}>{ "Show all times" }</button>
                <button type="button" class="link" id="timeline-table-toggle" aria-expanded={table.to_string()} onclick={toggle_table}>
                    { if *table { "Hide the table" } else { "Show as table" } }
                </button>
            </div>
            if let Some((a, b)) = props.range {
                <p class="hint" id="timeline-range">{ format!("Showing {} to {}: the evidence below is narrowed to this time.", when(a), when(b)) }</p>
            }
            if let Some(s) = scale {
                <div class="timeline-plot" ref={plot.clone()}>
                    <svg width={wi.to_string()} height={hi.to_string()} role="group"
                        aria-label="Timeline: arrow keys move between events, Enter opens one; drag to narrow the time"
                        onkeydown={on_key} onclick={on_click} onmouseover={on_over} onfocusin={on_focus}
                        onpointerdown={on_down} onpointermove={on_move} onpointerup={on_up} onpointerleave={on_leave}>
                        <rect class="plot-bg" x="0" y="0" width={wi.to_string()} height={hi.to_string()} />
                        { strip(tl, &s) }
                        { for tl.lanes.iter().enumerate().map(|(k, l)| {
                            let top = (STRIP + k as f64 * (LABEL + ROW)) as i32;
                            let mid = (lane_y(k) as i32).to_string();
                            html! { <g class="lane">
                                <text x={(PAD as i32).to_string()} y={(top + LABEL as i32 - 3).to_string()}>{ lane_label(l) }</text>
                                <line x1={(PAD as i32).to_string()} x2={((w - PAD) as i32).to_string()} y1={mid.clone()} y2={mid} />
                            </g> }
                        }) }
                        { axis(&s, height) }
                        { for shown.iter().copied().map(mark) }
                        { for brush }
                    </svg>
                </div>
            } else {
                <div class="timeline-plot" ref={plot.clone()}>
                    <p class="hint">{ "No line has a time: the events are listed in the table." }</p>
                </div>
            }
            { legend() }
            <div class="timeline-detail" aria-live="polite">
                if let Some((i, e)) = shown_event {
                    { detail(i, e, tl.failure == Some(i)) }
                }
            </div>
            if *table || scale.is_none() {
                { event_table(tl, &props.on_open) }
            }
        </section>
    }
}

/// The index of the mark an event happened on, if any.
fn index_of(e: &web_sys::Event) -> Option<usize> {
    let el: web_sys::Element = e.target()?.dyn_into().ok()?;
    el.closest("[data-index]")
        .ok()??
        .get_attribute("data-index")?
        .parse()
        .ok()
}

/// An event's time as written, or that it has none.
fn time_text(e: &Event) -> String {
    e.time
        .map_or_else(|| "no time".to_string(), |t| t.to_string())
}

/// A mark's id, for focus.
fn mark_id(i: usize) -> String {
    format!("timeline-event-{i}")
}

/// A lane's label: the log's name, and how many files its rotations are.
fn lane_label(l: &midtriage_engine::timeline::Lane) -> String {
    let base = l.name.rsplit(['/', '\\']).next().unwrap_or(&l.name);
    match l.files.len() {
        1 => base.to_string(),
        n => format!("{base} ({n} files)"),
    }
}

/// What a screen reader says for a mark.
fn aria(e: &Event, failure: bool) -> String {
    let when = time_text(e);
    let fail = if failure { "Upgrade failed here. " } else { "" };
    format!(
        "{fail}{when}, {}:{}: {} ({})",
        e.file,
        e.line,
        event_line(e),
        e.severity.name()
    )
}

/// The error counts as a strip of bars over the lanes: one path, whatever the count.
fn strip(tl: &Timeline, s: &Scale) -> Html {
    let b = &tl.buckets;
    let visible: Vec<&(i64, u64)> = b
        .counts
        .iter()
        .filter(|(at, _)| *at + b.width > s.start && *at < s.end)
        .collect();
    let most = visible.iter().map(|c| c.1).max().unwrap_or(0);
    let base = STRIP - 4.0;
    let mut d = String::new();
    for &&(at, n) in &visible {
        let x0 = s.x(at).max(s.left) as i32;
        let x1 = (s.x(at + b.width).min(s.right) as i32).max(x0 + 1);
        let h = ((base - 4.0) * (n as f64 / most.max(1) as f64).sqrt()).max(1.0);
        let (top, base) = ((base - h) as i32, base as i32);
        d.push_str(&format!("M{x0} {base}V{top}H{x1}V{base}Z"));
    }
    let unit = if b.width == 60 {
        "minute".to_string()
    } else {
        midtriage_engine::timeline::duration(b.width)
    };
    html! {
        <g class="strip" data-buckets={visible.len().to_string()}>
            <text x={(PAD as i32).to_string()} y="11">{ if most > 0 { format!("errors per {unit} (most: {most})") } else { "no errors with a time".to_string() } }</text>
            <path d={d} />
        </g>
    }
}

/// The time axis with its ticks.
fn axis(s: &Scale, height: f64) -> Html {
    let y = (height - AXIS + 4.0) as i32;
    html! {
        <g class="axis">
            <line x1={(s.left as i32).to_string()} x2={(s.right as i32).to_string()} y1={y.to_string()} y2={y.to_string()} />
            { for ticks(s).into_iter().map(|(at, label)| {
                let x = s.x(at) as i32;
                html! { <g class="tick" transform={format!("translate({x} {y})")}>
                    <line y2="5" />
                    <text y="17" text-anchor="middle">{ label }</text>
                </g> }
            }) }
        </g>
    }
}

/// The shapes' and colours' meanings.
fn legend() -> Html {
    html! {
        <ul class="timeline-legend" aria-label="Legend">
            { for Shape::ALL.iter().map(|s| html! {
                <li><svg width="16" height="16" aria-hidden="true"><path transform="translate(8 8)" d={s.path()} /></svg>{ s.legend() }</li>
            }) }
            <li class="hint">{ "Colour: red error, amber warning, blue information. Hollow: started, or last seen." }</li>
        </ul>
    }
}

/// The event under the pointer or the keyboard: when, where, what, and its line as text.
fn detail(i: usize, e: &Event, failure: bool) -> Html {
    html! {
        <div class="timeline-event" data-detail-index={i.to_string()}>
            <p>
                if failure { <strong>{ "Upgrade failed here. " }</strong> }
                <span class="ts">{ time_text(e) }</span>
                { " " }<code>{ format!("{}:{}", e.file, e.line) }</code>
                { format!(" {}", event_line(e)) }
            </p>
            if !e.text.is_empty() {
                <pre class="line">{ e.text.clone() }</pre>
            }
        </div>
    }
}

/// Whether opening the event leads somewhere in the results.
fn opens(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::FindingFirst
            | EventKind::FindingLast
            | EventKind::UnexplainedFirst
            | EventKind::UnexplainedLast
    )
}

/// Every event as a table row (the screen reader's and the printer's timeline).
fn event_table(tl: &Timeline, on_open: &Callback<usize>) -> Html {
    html! {
        <table class="timeline-table" id="timeline-table">
            <caption>{ format!("{} events, in time order; those without a time last.", tl.events.len()) }</caption>
            <thead><tr><th scope="col">{ "Time" }</th><th scope="col">{ "Where" }</th><th scope="col">{ "Event" }</th></tr></thead>
            <tbody>
                { for tl.events.iter().enumerate().map(|(i, e)| {
                    let open = on_open.reform(move |_: MouseEvent| i);
                    html! {
                        <tr class={classes!(severity_class(e.severity), (tl.failure == Some(i)).then_some("failure"))} data-event={e.kind.name()}>
                            <td>{ time_text(e) }</td>
                            <td><code>{ format!("{}:{}", e.file, e.line) }</code></td>
                            <td>
                                if tl.failure == Some(i) { <strong>{ "Upgrade failed here. " }</strong> }
                                { event_line(e) }
                                if opens(e.kind) { { " " }<button type="button" class="link" onclick={open}>{ "Show" }</button> }
                            </td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
    }
}

/// Keeps `width` at the plot's width, as the page is resized.
#[hook]
fn use_resize(plot: &NodeRef, width: &UseStateHandle<f64>) {
    let plot = plot.clone();
    let width = width.clone();
    use_effect_with((), move |_| {
        let measure = {
            let (plot, width) = (plot.clone(), width.clone());
            move || {
                if let Some(el) = plot.cast::<web_sys::Element>() {
                    let w = f64::from(el.client_width());
                    if w > 0.0 && (w - *width).abs() >= 1.0 {
                        width.set(w);
                    }
                }
            }
        };
        measure();
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure);
        let observer = web_sys::ResizeObserver::new(closure.as_ref().unchecked_ref()).ok();
        if let (Some(o), Some(el)) = (&observer, plot.cast::<web_sys::Element>()) {
            o.observe(&el);
        }
        move || {
            if let Some(o) = observer {
                o.disconnect();
            }
            drop(closure);
        }
    });
}
