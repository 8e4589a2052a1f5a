//! Plain-text and Markdown reports of an [`Analysis`], shared by the CLI and the web app.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::finding::Finding;
use crate::phase::Outcome;
use crate::timeline::{duration, Event, EventKind, Timeline};
use crate::timestamp::Timestamp;

/// The KB article URL for a KB number; other links are returned as they are.
pub fn link_url(link: &str) -> String {
    if link.starts_with("KB") {
        format!("https://support.servicenow.com/kb?id=kb_article_view&sysparm_article={link}")
    } else {
        link.to_string()
    }
}

fn outcome_line(a: &Analysis) -> String {
    let at = a.phase.stopped_at.map_or("-", |p| p.label());
    match a.phase.outcome {
        Outcome::NotSeen => "no upgrade activity in these files".into(),
        Outcome::Completed => format!("completed (reached: {at})"),
        Outcome::Failed => format!("failed during the {at}"),
        Outcome::Incomplete => format!("stopped during the {at} without a failure line"),
    }
}

/// What became of a user's rules file, for the files list.
pub fn rules_file_line(r: &crate::rules::RulesFile) -> String {
    if r.used {
        format!(
            "rules file, {} added to the built-in rules",
            plural(r.rules, "rule")
        )
    } else {
        "rules file, not used (see its problems)".into()
    }
}

/// A plain-text report for a terminal.
pub fn text(a: &Analysis) -> String {
    let mut out = String::new();
    for f in &a.files {
        match &f.error {
            Some(e) => writeln!(out, "! {e}").ok(),
            None => writeln!(
                out,
                "- {}: {} ({})",
                f.name,
                f.kind.map_or("?", |k| k.label()),
                plural(f.lines, "line")
            )
            .ok(),
        };
    }
    for r in &a.rules_files {
        writeln!(out, "- {}: {}", r.name, rules_file_line(r)).ok();
    }
    for p in &a.problems {
        writeln!(out, "! {p}").ok();
    }
    for c in &a.config {
        writeln!(
            out,
            "\n{} (config.xml, {} parameters):",
            c.file, c.parameters
        )
        .ok();
        for (label, value) in c.summary() {
            writeln!(out, "  {label}: {value}").ok();
        }
    }
    writeln!(out, "\nUpgrade: {}", outcome_line(a)).ok();
    if let Some(c) = &a.versions.comparison {
        writeln!(
            out,
            "Versions: MID {} is {:?} the {} version {}",
            c.mid, c.relation, c.target_source, c.target
        )
        .ok();
    }
    if a.findings.is_empty() {
        writeln!(out, "\nNo known failure signature was found.").ok();
    }
    for f in &a.findings {
        text_finding(&mut out, f);
    }
    if !a.unrecognised.is_empty() {
        writeln!(
            out,
            "\nErrors no rule explains (not causes; most worth a look first):"
        )
        .ok();
        for u in a.unrecognised.iter().take(TOP_UNRECOGNISED) {
            writeln!(out, "  [{}] {}", level_name(u.level), unrecognised_line(u)).ok();
            if let Some(e) = u.examples.first() {
                let ts = e.timestamp.map(|t| format!(" {t}")).unwrap_or_default();
                writeln!(out, "    {}:{}{}  {}", e.file, e.line, ts, e.text.trim()).ok();
            }
        }
    }
    let key = key_events(&a.timeline, TEXT_EVENTS);
    if !key.is_empty() {
        writeln!(out, "\nTimeline:").ok();
        for line in timeline_summary(&a.timeline) {
            writeln!(out, "  {line}").ok();
        }
        for e in &key {
            let when = e.time.map_or("(no time)".to_string(), |t| t.to_string());
            writeln!(out, "  {when}  {}:{}  {}", e.file, e.line, event_line(e)).ok();
        }
        let more = a.timeline.events.len() - key.len();
        if more > 0 {
            writeln!(out, "  … {} more in the JSON output", plural(more, "event")).ok();
        }
    }
    if !a.next_steps.is_empty() {
        writeln!(out, "\nNext:").ok();
        for s in &a.next_steps {
            writeln!(out, "  - {s}").ok();
        }
    }
    out
}

fn text_finding(out: &mut String, f: &Finding) {
    writeln!(
        out,
        "\n[{}] {} ({})",
        f.severity.name().to_uppercase(),
        f.title,
        f.id
    )
    .ok();
    writeln!(out, "  {}", f.summary).ok();
    if f.reinstall {
        writeln!(out, "  ** The MID Server must be reinstalled. **").ok();
    }
    writeln!(out, "  Evidence ({}):", plural(f.matches, "match")).ok();
    for e in f.evidence.iter().take(10) {
        let ts = e.timestamp.map(|t| format!(" {t}")).unwrap_or_default();
        writeln!(out, "    {}:{}{}  {}", e.file, e.line, ts, e.text.trim()).ok();
    }
    if f.evidence.len() > 10 {
        writeln!(out, "    … and {} more lines", f.evidence.len() - 10).ok();
    }
    writeln!(out, "  What to do:").ok();
    for (i, s) in f.resolution.iter().enumerate() {
        writeln!(out, "    {}. {s}", i + 1).ok();
    }
    writeln!(out, "  See: {} {}", f.kb, f.links.join(" ")).ok();
}

/// A Markdown report, for a ticket or a knowledge article.
pub fn markdown(a: &Analysis) -> String {
    let mut out = String::from("# midtriage report\n\n");
    writeln!(out, "Engine {}. Upgrade: {}.\n", a.engine, outcome_line(a)).ok();
    writeln!(out, "## Files\n").ok();
    for f in &a.files {
        match &f.error {
            Some(e) => writeln!(out, "- **not analysed**: {}", md_escape(&e.to_string())).ok(),
            None => writeln!(
                out,
                "- `{}`: {} ({})",
                code(&f.name),
                f.kind.map_or("?", |k| k.label()),
                plural(f.lines, "line")
            )
            .ok(),
        };
    }
    for r in &a.rules_files {
        writeln!(out, "- `{}`: {}", code(&r.name), rules_file_line(r)).ok();
    }
    for p in &a.problems {
        writeln!(out, "- **problem**: {}", md_escape(&p.to_string())).ok();
    }
    for c in &a.config {
        writeln!(out, "\n## `{}` (config.xml)\n", code(&c.file)).ok();
        for (label, value) in c.summary() {
            writeln!(out, "- {label}: {}", md_escape(&value)).ok();
        }
    }
    if let Some(c) = &a.versions.comparison {
        writeln!(
            out,
            "\n## Versions\n\nMID `{}` is **{:?}** the {} version `{}`.",
            c.mid, c.relation, c.target_source, c.target
        )
        .ok();
    }
    writeln!(out, "\n## Findings\n").ok();
    if a.findings.is_empty() {
        writeln!(out, "No known failure signature was found.").ok();
    }
    for f in &a.findings {
        writeln!(
            out,
            "### {} `{}` ({})\n",
            md_escape(&f.title),
            f.id,
            f.severity.name()
        )
        .ok();
        writeln!(out, "{}\n", md_escape(&f.summary)).ok();
        if f.reinstall {
            writeln!(out, "> **The MID Server must be reinstalled.**\n").ok();
        }
        writeln!(out, "Evidence ({}):\n\n```text", plural(f.matches, "match")).ok();
        for e in &f.evidence {
            let ts = e.timestamp.map(|t| format!(" {t}")).unwrap_or_default();
            writeln!(
                out,
                "{}:{}{}  {}",
                e.file,
                e.line,
                ts,
                e.text.replace("```", "ʼʼʼ")
            )
            .ok();
        }
        writeln!(out, "```\n\nWhat to do:\n").ok();
        for (i, s) in f.resolution.iter().enumerate() {
            writeln!(out, "{}. {}", i + 1, md_escape(s)).ok();
        }
        let links: Vec<String> = std::iter::once(&f.kb)
            .chain(&f.links)
            .map(|l| format!("[{l}]({})", link_url(l)))
            .collect();
        writeln!(out, "\nSee {}.\n", links.join(", ")).ok();
    }
    if !a.unrecognised.is_empty() {
        writeln!(
            out,
            "\n## Errors no rule explains\n\nNot causes: errors and warnings in the logs that no rule which fired accounts for, most worth a look first.\n"
        )
        .ok();
        for u in &a.unrecognised {
            writeln!(
                out,
                "- **{}** {}",
                level_name(u.level),
                md_escape(&unrecognised_line(u))
            )
            .ok();
            if let Some(e) = u.examples.first() {
                let ts = e.timestamp.map(|t| format!(" {t}")).unwrap_or_default();
                writeln!(
                    out,
                    "\n  ```text\n  {}:{}{}  {}\n  ```",
                    e.file,
                    e.line,
                    ts,
                    e.text.trim().replace("```", "ʼʼʼ")
                )
                .ok();
            }
        }
    }
    markdown_timeline(&mut out, &a.timeline);
    if !a.next_steps.is_empty() {
        writeln!(out, "\n## Next steps\n").ok();
        for s in &a.next_steps {
            writeln!(out, "- {}", md_escape(s)).ok();
        }
    }
    out
}

/// How many of the errors no rule explains the text report shows (Markdown shows them all).
const TOP_UNRECOGNISED: usize = 10;
/// Key events the text report shows.
const TEXT_EVENTS: usize = 20;
/// Key events the Markdown report's table shows.
const MARKDOWN_EVENTS: usize = 40;

/// The Markdown report's Timeline section: the span, the error counts, the notes, and a table
/// of the key events.
fn markdown_timeline(out: &mut String, tl: &Timeline) {
    let key = key_events(tl, MARKDOWN_EVENTS);
    if key.is_empty() {
        return;
    }
    writeln!(out, "\n## Timeline\n").ok();
    for line in timeline_summary(tl) {
        writeln!(out, "{}\n", md_escape(&line)).ok();
    }
    for n in &tl.notes {
        writeln!(out, "- {}", md_escape(n)).ok();
    }
    if !tl.notes.is_empty() {
        writeln!(out).ok();
    }
    writeln!(out, "| Time | Where | Event |\n| --- | --- | --- |").ok();
    for e in &key {
        let failure = tl.failure.is_some_and(|i| std::ptr::eq(&tl.events[i], *e));
        let what = md_escape(&event_line(e));
        writeln!(
            out,
            "| {} | `{}:{}` | {} |",
            e.time.map_or("(no time)".to_string(), |t| t.to_string()),
            code(&e.file).replace('|', "\\|"),
            e.line,
            if failure { format!("**{what}**") } else { what },
        )
        .ok();
    }
    let more = tl.events.len() - key.len();
    if more > 0 {
        writeln!(out, "\n{} more in the JSON report.", plural(more, "event")).ok();
    }
}

/// The events worth listing in a report, at most `max`, in time order: each phase's first
/// event, every failure, restart and stop, each finding's first and last; not the errors no
/// rule explains (listed in their own section). The failure is always among them.
pub fn key_events(tl: &Timeline, max: usize) -> Vec<&Event> {
    let mut labels: Vec<&str> = Vec::new();
    let mut picked: Vec<usize> = Vec::new();
    for (i, e) in tl.events.iter().enumerate() {
        let keep = match e.kind {
            EventKind::PhaseReached | EventKind::PhaseDone => {
                let new = !labels.contains(&e.label.as_str());
                labels.push(&e.label);
                new
            }
            EventKind::UnexplainedFirst | EventKind::UnexplainedLast => false,
            _ => true,
        };
        if keep || tl.failure == Some(i) {
            picked.push(i);
        }
    }
    if picked.len() > max {
        // The failure and the most serious, the earliest of equals.
        let scores: Vec<u32> = picked
            .iter()
            .map(|&i| u32::from(tl.failure == Some(i)) * 10 + tl.events[i].severity as u32)
            .collect();
        let keep = crate::timeline::keep_top(&scores, max);
        picked = picked
            .into_iter()
            .zip(keep)
            .filter_map(|(i, k)| k.then_some(i))
            .collect();
    }
    picked.into_iter().map(|i| &tl.events[i]).collect()
}

/// An event in words: what happened, and how often where that matters.
pub fn event_line(e: &Event) -> String {
    let of = |which: &str, word: &str| match e.seen {
        0 | 1 => String::new(),
        n => format!(" ({which} of {})", plural(n as usize, word)),
    };
    match e.kind {
        EventKind::FindingFirst => format!("finding: {}{}", e.label, of("first", "match")),
        EventKind::FindingLast => format!("finding: {}{}", e.label, of("last", "match")),
        EventKind::UnexplainedFirst => {
            format!(
                "error no rule explains: {}{}",
                e.label,
                of("first", "record")
            )
        }
        EventKind::UnexplainedLast => {
            format!(
                "error no rule explains: {}{}",
                e.label,
                of("last", "record")
            )
        }
        _ if e.seen > 1 => format!("{} ({} times in this log)", e.label, e.seen),
        _ => e.label.clone(),
    }
}

/// The timeline in a few sentences: the time the logs cover, and when the errors came.
pub fn timeline_summary(tl: &Timeline) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(s) = &tl.span {
        out.push(format!(
            "The logs cover {} to {} ({}).",
            s.first,
            s.last,
            duration(s.end - s.start)
        ));
    }
    let b = &tl.buckets;
    if let (Some(first), Some(last)) = (b.counts.first(), b.counts.last()) {
        let busiest = b
            .counts
            .iter()
            .max_by_key(|c| (c.1, std::cmp::Reverse(c.0)));
        let at = |secs: i64| {
            Timestamp::from_seconds(secs).map_or(String::new(), |t| t.to_string()[..16].to_string())
        };
        let unit = if b.width == 60 {
            "minute".to_string()
        } else {
            duration(b.width)
        };
        let timed = plural((b.errors - b.untimed) as usize, "error record");
        let mut line = if first.0 == last.0 && b.width == 60 {
            format!("{timed} in the minute {}", at(first.0))
        } else {
            format!(
                "{timed} from {} to {}",
                at(first.0),
                at(last.0 + b.width - 60)
            )
        };
        if let Some((when, n)) = busiest.filter(|_| b.counts.len() > 1) {
            write!(line, "; the busiest {unit} began {} with {n}", at(*when)).ok();
        }
        line.push('.');
        out.push(line);
    }
    out
}

/// A level's name as the reports show it.
pub fn level_name(level: crate::TroubleLevel) -> &'static str {
    match level {
        crate::TroubleLevel::Error => "ERROR",
        crate::TroubleLevel::Exception => "EXCEPTION",
        crate::TroubleLevel::Warning => "WARNING",
    }
}

/// A template with how often and when it was seen: `Problem … (3 times, 10:00:01 to 10:04:12)`.
pub fn unrecognised_line(u: &crate::Unrecognised) -> String {
    let times = match u.count {
        1 => "once".to_string(),
        n => format!("{n} times"),
    };
    let when = match (u.first, u.last) {
        (Some(f), Some(l)) if f != l => format!(", {f} to {l}"),
        (Some(f), _) => format!(", {f}"),
        _ => String::new(),
    };
    format!("{} ({times}{when})", u.template)
}

/// `n` and `word`, in the plural unless `n` is 1: `1 rule`, `3 matches`.
pub fn plural(n: usize, word: &str) -> String {
    let suffix = match (n, word.ends_with("ch")) {
        (1, _) => "",
        (_, true) => "es",
        _ => "s",
    };
    format!("{n} {word}{suffix}")
}

fn code(s: &str) -> String {
    s.replace('`', "'")
}

/// Escapes characters that would turn text into Markdown or HTML markup.
fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '<' | '>' | '*' | '_' | '[' | ']' | '#' | '|' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
