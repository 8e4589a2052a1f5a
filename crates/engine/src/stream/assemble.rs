//! Puts the timeline together when the files are merged: the files' lanes, their phase and
//! lifecycle events, each finding's first and last evidence, each unexplained error's first
//! and last record, the error counts, the span and what to keep in mind reading it.

use super::{FileReport, Unrecognised};
use crate::finding::Finding;
use crate::kind::FileKind;
use crate::layout::parse_start;
use crate::lifecycle::EventKind;
use crate::lines::head;
use crate::phase::PhaseReport;
use crate::rules::Severity;
use crate::sort::sort_stable_by;
use crate::timeline::{
    duration, keep_top, lane_name, Buckets, Density, Event, FileTimeline, Lane, Span, Timeline,
    KEEP, MAX_EVENTS, TEXT,
};
use crate::TroubleLevel;

/// A label is cut to this many bytes.
const LABEL: usize = 160;
/// Lanes this far apart, without overlapping, are said to be apart (seconds).
const APART: i64 = 3600;

/// Builds the timeline of the merged files (given in input order with what each showed).
pub(crate) fn assemble(
    files: &[(FileReport, FileTimeline)],
    findings: &[Finding],
    unrecognised: &[Unrecognised],
    phase: &PhaseReport,
) -> Timeline {
    let (lanes, lane_of) = lanes(files);
    let axis = axis_offset(files);
    let order = |name: &str| files.iter().position(|(r, _)| r.name == name);
    let mut tl = Timeline {
        lanes,
        axis_offset: axis,
        ..Timeline::default()
    };
    // The phase and lifecycle events, lane by lane, each with its group (its lane, kind and
    // label): of each group, the first and last few in time order are kept.
    let mut groups: Vec<(usize, EventKind, &str, u64)> = Vec::new();
    let mut cands: Vec<(usize, Event)> = Vec::new();
    for (fi, (report, file)) in files.iter().enumerate() {
        let Some(lane) = lane_of[fi] else { continue };
        for g in &file.groups {
            let same = |x: &(usize, EventKind, &str, u64)| {
                (x.0, x.1, x.2) == (lane, g.kind, g.label.as_str())
            };
            let gi = match groups.iter().position(same) {
                Some(gi) => gi,
                None => {
                    groups.push((lane, g.kind, g.label.as_str(), 0));
                    groups.len() - 1
                }
            };
            groups[gi].3 += g.seen;
            for s in g.head.iter().chain(&g.tail) {
                let e = Event {
                    time: s.time,
                    at: s.time.map(|t| t.on_axis(axis)),
                    file: report.name.clone(),
                    line: s.line,
                    lane,
                    kind: g.kind,
                    label: g.label.clone(),
                    severity: g.severity,
                    text: s.text.clone(),
                    seen: 0,
                    target: None,
                };
                cands.push((gi, e));
            }
        }
    }
    sort_stable_by(&mut cands, |a, b| key(&a.1, &order).cmp(&key(&b.1, &order)));
    let mut total = vec![0usize; groups.len()];
    for (gi, _) in &cands {
        total[*gi] += 1;
    }
    let mut nth = vec![0usize; groups.len()];
    let mut events: Vec<Event> = Vec::new();
    for (gi, mut e) in cands {
        let i = nth[gi];
        nth[gi] += 1;
        if i < KEEP || i + KEEP >= total[gi] {
            e.seen = groups[gi].3;
            events.push(e);
        }
    }
    let lane_for = |file: &str| order(file).and_then(|i| lane_of[i]);
    for f in findings {
        finding_events(f, &lane_for, axis, &order, &mut events);
    }
    for u in unrecognised {
        unexplained_events(u, &lane_for, axis, &mut events);
    }
    // The failure line is always shown, even when its kind happened too often to keep it.
    if let Some(fail) = &phase.failure {
        let here = |e: &Event| e.file == fail.file && e.line == fail.line;
        if !events.iter().any(here) {
            if let Some(lane) = lane_for(&fail.file) {
                events.push(Event {
                    time: fail.timestamp,
                    at: fail.timestamp.map(|t| t.on_axis(axis)),
                    file: fail.file.clone(),
                    line: fail.line,
                    lane,
                    kind: EventKind::PhaseFailed,
                    label: format!("{} failed", fail.phase.label()),
                    severity: Severity::Error,
                    text: head(&fail.text, TEXT).to_string(),
                    seen: 1,
                    target: None,
                });
            }
        }
    }
    sort_stable_by(&mut events, |a, b| key(a, &order).cmp(&key(b, &order)));
    events.dedup_by(|a, b| {
        (&a.file, a.line, a.kind, &a.label) == (&b.file, b.line, b.kind, &b.label)
    });
    // A line that marks a phase says more as that phase than as a start or stop
    // (`Stopping MID server. Bootstrapping upgrade` is the hand-off).
    let phases: Vec<(&str, u32)> = events
        .iter()
        .filter(|e| is_phase(e.kind))
        .map(|e| (e.file.as_str(), e.line))
        .collect();
    let shadowed: Vec<bool> = events
        .iter()
        .map(|e| is_lifecycle(e.kind) && phases.contains(&(e.file.as_str(), e.line)))
        .collect();
    let mut i = 0;
    events.retain(|_| {
        i += 1;
        !shadowed[i - 1]
    });
    let failure_at = |events: &[Event]| {
        let fail = phase.failure.as_ref();
        fail.and_then(|f| {
            events.iter().position(|e| {
                e.file == f.file && e.line == f.line && e.kind == EventKind::PhaseFailed
            })
        })
        .or_else(|| {
            let top = findings.first().filter(|f| f.severity >= Severity::Error)?;
            events.iter().position(|e| {
                e.kind == EventKind::FindingFirst && e.target.as_deref() == Some(&top.id)
            })
        })
    };
    let failure = failure_at(&events);
    let dropped = cap(&mut events, failure);
    tl.failure = failure_at(&events);
    tl.events = events;
    tl.span = span(&tl, axis);
    tl.buckets = buckets(files, axis);
    tl.notes = notes(&tl, files, dropped);
    tl
}

fn is_phase(k: EventKind) -> bool {
    matches!(
        k,
        EventKind::PhaseReached | EventKind::PhaseDone | EventKind::PhaseFailed
    )
}

fn is_lifecycle(k: EventKind) -> bool {
    !is_phase(k)
        && !matches!(
            k,
            EventKind::FindingFirst
                | EventKind::FindingLast
                | EventKind::UnexplainedFirst
                | EventKind::UnexplainedLast
        )
}

/// Events order by their place on the axis (those without one last), then by file and line.
fn key<'a>(e: &'a Event, order: &impl Fn(&str) -> Option<usize>) -> impl Ord + 'a {
    let millis = e.time.map(|t| t.millis);
    (
        e.at.is_none(),
        e.at,
        millis,
        order(&e.file),
        e.line,
        e.kind,
        e.label.as_str(),
    )
}

/// The lanes, agent logs first, and each file's lane (none for config.xml and for files that
/// could not be read).
fn lanes(files: &[(FileReport, FileTimeline)]) -> (Vec<Lane>, Vec<Option<usize>>) {
    let rank = |k: Option<FileKind>| match k {
        Some(FileKind::Agent) => 0,
        Some(FileKind::Wrapper) => 1,
        Some(FileKind::Upgrade) => 2,
        _ => 3,
    };
    let mut lanes: Vec<(usize, Lane)> = Vec::new();
    let mut of = vec![None; files.len()];
    for (fi, (report, file)) in files.iter().enumerate() {
        if report.kind == Some(FileKind::Config) || report.lines == 0 {
            continue;
        }
        let name = lane_name(&report.name);
        let i = match lanes.iter().position(|(_, l)| l.name == name) {
            Some(i) => i,
            None => {
                lanes.push((
                    fi,
                    Lane {
                        name: name.to_string(),
                        kind: report.kind,
                        files: Vec::new(),
                        first: None,
                        last: None,
                        zoned: false,
                    },
                ));
                lanes.len() - 1
            }
        };
        let lane = &mut lanes[i].1;
        lane.files.push(report.name.clone());
        lane.zoned |= file.offset.is_some();
        // Compared as written (lanes of one zone), as the phases are.
        lane.first = [lane.first, file.first].into_iter().flatten().min();
        lane.last = [lane.last, file.last].into_iter().flatten().max();
        of[fi] = Some(i);
    }
    // By rank, then in input order.
    let mut sorted: Vec<usize> = Vec::new();
    for r in 0..4 {
        sorted.extend((0..lanes.len()).filter(|&i| rank(lanes[i].1.kind) == r));
    }
    let mut new_index = vec![0; lanes.len()];
    for (new, &old) in sorted.iter().enumerate() {
        new_index[old] = new;
    }
    for o in &mut of {
        *o = o.map(|i| new_index[i]);
    }
    let mut slots: Vec<Option<Lane>> = lanes.into_iter().map(|(_, l)| Some(l)).collect();
    let lanes = sorted.iter().filter_map(|&i| slots[i].take()).collect();
    (lanes, of)
}

/// The axis' UTC offset: the one most files give (the first file's on a tie).
fn axis_offset(files: &[(FileReport, FileTimeline)]) -> Option<i16> {
    let offsets: Vec<i16> = files.iter().filter_map(|(_, f)| f.offset).collect();
    let count = |o: i16| offsets.iter().filter(|&&x| x == o).count();
    let mut best: Option<(usize, i16)> = None;
    for &o in &offsets {
        if best.is_none_or(|(n, _)| count(o) > n) {
            best = Some((count(o), o));
        }
    }
    best.map(|(_, o)| o)
}

/// A finding's first evidence and its last match (one event when they are the same line).
fn finding_events(
    f: &Finding,
    lane_for: &impl Fn(&str) -> Option<usize>,
    axis: Option<i16>,
    order: &impl Fn(&str) -> Option<usize>,
    events: &mut Vec<Event>,
) {
    let place = |e: &crate::Evidence| (e.timestamp.is_none(), e.timestamp, order(&e.file), e.line);
    let first = f.evidence.iter().min_by_key(|e| place(e));
    let last = f
        .evidence
        .iter()
        .chain(&f.latest)
        .max_by_key(|e| (e.timestamp, order(&e.file), e.line));
    let both = [
        (EventKind::FindingFirst, first),
        (EventKind::FindingLast, last),
    ];
    for (i, (kind, ev)) in both.into_iter().enumerate() {
        let Some(ev) = ev else { continue };
        if i == 1 && first.is_some_and(|f| (&f.file, f.line) == (&ev.file, ev.line)) {
            continue;
        }
        let Some(lane) = lane_for(&ev.file) else {
            continue;
        };
        // The line's own time, as the other events have (evidence carries its record's).
        let time = parse_start(&ev.text)
            .and_then(|h| h.timestamp)
            .or(ev.timestamp);
        events.push(Event {
            time,
            at: time.map(|t| t.on_axis(axis)),
            file: ev.file.clone(),
            line: ev.line,
            lane,
            kind,
            label: head(&f.title, LABEL).to_string(),
            severity: f.severity,
            text: head(&ev.text, TEXT).to_string(),
            seen: f.matches as u64,
            target: Some(f.id.clone()),
        });
    }
}

/// An unexplained error's first and last record.
fn unexplained_events(
    u: &Unrecognised,
    lane_for: &impl Fn(&str) -> Option<usize>,
    axis: Option<i16>,
    events: &mut Vec<Event>,
) {
    let severity = match u.level {
        TroubleLevel::Error => Severity::Error,
        _ => Severity::Warning,
    };
    let first = u.examples.first();
    let last = u
        .latest
        .as_ref()
        .filter(|l| first.is_none_or(|f| (&f.file, f.line) != (&l.file, l.line)));
    let both = [
        (EventKind::UnexplainedFirst, first),
        (EventKind::UnexplainedLast, last),
    ];
    for (kind, ex) in both {
        let Some(ex) = ex else { continue };
        let Some(lane) = lane_for(&ex.file) else {
            continue;
        };
        events.push(Event {
            time: ex.timestamp,
            at: ex.timestamp.map(|t| t.on_axis(axis)),
            file: ex.file.clone(),
            line: ex.line,
            lane,
            kind,
            label: head(&u.template, LABEL).to_string(),
            severity,
            text: head(&ex.text, TEXT).to_string(),
            seen: u.count,
            target: Some(u.template.clone()),
        });
    }
}

/// Keeps at most [`MAX_EVENTS`]: the failure, then the most serious and telling kinds (the
/// earliest of equals); gives how many were left out.
fn cap(events: &mut Vec<Event>, failure: Option<usize>) -> usize {
    let class = |k: EventKind| match k {
        EventKind::PhaseFailed | EventKind::FindingFirst => 4,
        EventKind::FindingLast | EventKind::JvmLost | EventKind::HostShutdown => 3,
        EventKind::UnexplainedFirst => 2,
        EventKind::UnexplainedLast | EventKind::PhaseReached | EventKind::PhaseDone => 0,
        _ => 1,
    };
    let scores: Vec<u32> = events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let fail = if Some(i) == failure { 100 } else { 0 };
            fail + 10 * class(e.kind) + e.severity as u32
        })
        .collect();
    let keep = keep_top(&scores, MAX_EVENTS);
    let before = events.len();
    let mut i = 0;
    events.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    before - events.len()
}

/// The time the lanes and events cover, on the axis.
fn span(tl: &Timeline, axis: Option<i16>) -> Option<Span> {
    let times = tl
        .lanes
        .iter()
        .flat_map(|l| [l.first, l.last])
        .flatten()
        .chain(tl.events.iter().filter_map(|e| e.time));
    let mut span: Option<Span> = None;
    for t in times {
        let at = t.on_axis(axis);
        match &mut span {
            None => {
                span = Some(Span {
                    first: t,
                    last: t,
                    start: at,
                    end: at,
                })
            }
            Some(s) => {
                if at < s.start {
                    (s.first, s.start) = (t, at);
                }
                if at > s.end {
                    (s.last, s.end) = (t, at);
                }
            }
        }
    }
    span
}

/// The error counts of all files on the axis.
fn buckets(files: &[(FileReport, FileTimeline)], axis: Option<i16>) -> Buckets {
    let mut all = Density::default();
    let (mut errors, mut untimed) = (0, 0);
    let shift = 60 * i64::from(axis.unwrap_or(0));
    for (_, f) in files {
        all.merge(&f.zoned, shift);
        all.merge(&f.plain, 0);
        errors += f.errors;
        untimed += f.untimed;
    }
    Buckets {
        width: all.width(),
        counts: all.counts().collect(),
        errors,
        untimed,
    }
}

/// What to keep in mind reading the timeline.
fn notes(tl: &Timeline, files: &[(FileReport, FileTimeline)], dropped: usize) -> Vec<String> {
    let mut notes = Vec::new();
    let timed = |l: &&Lane| l.first.is_some();
    let zoned: Vec<&Lane> = tl.lanes.iter().filter(timed).filter(|l| l.zoned).collect();
    let plain: Vec<&Lane> = tl.lanes.iter().filter(timed).filter(|l| !l.zoned).collect();
    if let (Some(z), Some(axis)) = (zoned.first(), tl.axis_offset) {
        if !plain.is_empty() {
            notes.push(format!(
                "{} writes its times with a UTC offset ({}); {} does not: its times are taken as the MID host's local time at that offset.",
                z.name,
                offset(axis),
                plain[0].name,
            ));
        }
    }
    let mut offsets: Vec<i16> = Vec::new();
    for o in files.iter().filter_map(|(_, f)| f.offset) {
        if !offsets.contains(&o) {
            offsets.push(o);
        }
    }
    if offsets.len() > 1 {
        let list: Vec<String> = offsets.iter().map(|&o| offset(o)).collect();
        notes.push(format!(
            "The logs give more than one UTC offset ({}), as around a daylight-saving change: each time is placed by its own.",
            list.join(", ")
        ));
    }
    // Lanes whose times do not overlap and lie hours apart.
    let axis = tl.axis_offset;
    let range = |l: &Lane| Some((l.first?.on_axis(axis), l.last?.on_axis(axis)));
    let mut apart = 0;
    for (i, a) in tl.lanes.iter().enumerate() {
        for b in &tl.lanes[i + 1..] {
            let (Some(ra), Some(rb)) = (range(a), range(b)) else {
                continue;
            };
            let gap = (rb.0 - ra.1).max(ra.0 - rb.1);
            if gap >= APART && apart < 3 {
                apart += 1;
                notes.push(format!(
                    "{} and {} do not overlap: their times are {} apart. The files may cover different periods, or a clock or time zone differs.",
                    a.name,
                    b.name,
                    duration(gap),
                ));
            }
        }
    }
    // Logs without any time, in one note (a folder of pasted KB lines has many).
    let untimed: Vec<&str> = (0..tl.lanes.len())
        .filter(|&li| {
            tl.lanes[li].first.is_none() && tl.events.iter().any(|e| e.lane == li && e.at.is_none())
        })
        .map(|li| tl.lanes[li].name.as_str())
        .collect();
    if let Some(first) = untimed.first() {
        let (more, verb) = match untimed.len() {
            1 => (String::new(), "has"),
            n => (format!(" (and {} more)", n - 1), "have"),
        };
        notes.push(format!(
            "{first}{more} {verb} no timestamps: their events are listed in order, not placed on the time axis."
        ));
    }
    if tl.buckets.width > 60 {
        let spanned = tl.span.as_ref().map_or(0, |s| s.end - s.start);
        notes.push(format!(
            "Errors are counted per {} here, as the logs span {}.",
            duration(tl.buckets.width),
            duration(spanned)
        ));
    }
    if dropped > 0 {
        notes.push(format!(
            "{dropped} events are left out to keep the timeline readable: the failure, the findings and each kind's first occurrences are kept."
        ));
    }
    notes
}

/// `-05:00`.
fn offset(minutes: i16) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}
