//! Plain-text and Markdown reports of an [`Analysis`], shared by the CLI and the web app.

use std::fmt::Write;

use crate::analysis::Analysis;
use crate::finding::Finding;
use crate::phase::Outcome;

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
