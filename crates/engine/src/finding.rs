//! Findings: a rule that fired, with the lines that prove it and what to do.

use crate::lines;
use crate::rules::{Rule, Severity};
use crate::sort::sort_stable_by;
use crate::timestamp::Timestamp;

/// How many evidence items a finding keeps; `matches` still counts them all.
pub const MAX_EVIDENCE: usize = 100;
/// Lines longer than this (in bytes) are clipped around the match in evidence.
pub const MAX_LINE: usize = 2000;
/// Lines of context kept on each side of an evidence line.
pub const CONTEXT: u32 = 2;

/// A line shown around an evidence line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ContextLine {
    /// 1-based line number.
    pub line: u32,
    /// The line's text (clipped when very long).
    pub text: String,
}

/// One line that proves a finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Evidence {
    /// The file's name as given.
    pub file: String,
    /// 1-based line number in the original file.
    pub line: u32,
    /// The record's time, when its layout carries one.
    pub timestamp: Option<Timestamp>,
    /// The line's text (clipped around the match when very long).
    pub text: String,
    /// Byte ranges of `text` that the rule's patterns matched.
    pub highlights: Vec<(usize, usize)>,
    /// Up to two lines before.
    pub before: Vec<ContextLine>,
    /// Up to two lines after.
    pub after: Vec<ContextLine>,
    /// When `text` is clipped: the byte range of the full line it shows (after a leading `…`
    /// when the range does not start at 0). Used to merge the highlights of two clips of the
    /// same line; not part of the output.
    #[serde(skip)]
    pub clip: Option<(usize, usize)>,
}

impl Evidence {
    /// Evidence that is a line on its own: no highlights and no context (what config.xml and
    /// the version lines prove, rather than a rule's match).
    pub(crate) fn alone(
        file: &str,
        line: u32,
        timestamp: Option<Timestamp>,
        text: String,
    ) -> Evidence {
        Evidence {
            file: file.to_string(),
            line,
            timestamp,
            text,
            highlights: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            clip: None,
        }
    }

    /// The highlight `h` of `other` (evidence for the same line) placed in this evidence's
    /// text, when that part of the line is shown here too.
    fn place(&self, other: &Evidence, h: (usize, usize)) -> Option<(usize, usize)> {
        if self.text == other.text {
            return Some(h);
        }
        let shown = |e: &Evidence| {
            let (from, to) = e.clip.unwrap_or((0, e.text.len()));
            let lead = if from > 0 { '…'.len_utf8() } else { 0 };
            (from, to, lead)
        };
        let (from, to, lead) = shown(other);
        let raw = |i: usize| i.checked_sub(lead).map(|i| i + from).filter(|&r| r <= to);
        let (a, b) = (raw(h.0)?, raw(h.1)?);
        let (from, to, lead) = shown(self);
        if a < from || b > to {
            return None;
        }
        let (s, t) = (a - from + lead, b - from + lead);
        (t <= self.text.len() && self.text.is_char_boundary(s) && self.text.is_char_boundary(t))
            .then_some((s, t))
    }
}

/// A rule that fired, with all its evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    /// The rule id.
    pub id: String,
    /// How serious it is.
    pub severity: Severity,
    /// One-line title.
    pub title: String,
    /// What it means.
    pub summary: String,
    /// The KB article the rule belongs to.
    pub kb: String,
    /// The KB0596459 flow step.
    pub step: u8,
    /// The evidence lines, in time order (at most [`MAX_EVIDENCE`]).
    pub evidence: Vec<Evidence>,
    /// How many separate matches there were in all.
    pub matches: usize,
    /// The last match, when it is not among the evidence kept (the evidence is full).
    #[serde(default)]
    pub latest: Option<Evidence>,
    /// What to do, as ordered steps.
    pub resolution: Vec<String>,
    /// Related KB articles and documents.
    pub links: Vec<String>,
    /// Whether a reinstall of the MID Server is required.
    pub reinstall: bool,
}

impl Finding {
    pub(crate) fn new(rule: &Rule) -> Finding {
        Finding {
            id: rule.id.clone(),
            severity: rule.severity,
            title: rule.title.clone(),
            summary: rule.summary.clone(),
            kb: rule.kb.clone(),
            step: rule.step,
            evidence: Vec::new(),
            matches: 0,
            latest: None,
            resolution: rule.resolution.clone(),
            links: rule.links.clone(),
            reinstall: rule.reinstall,
        }
    }

    /// The time of the earliest evidence that has one.
    pub fn first_seen(&self) -> Option<Timestamp> {
        self.evidence.iter().filter_map(|e| e.timestamp).min()
    }

    /// Adds evidence unless that line is already there. Past the cap, a line from a file with
    /// fewer lines takes the place of the last line of the file with the most, so that every
    /// file keeps a share: a failure repeated all through the first file must not hide the
    /// same failure in the others (agent0.log.0 to .9).
    pub(crate) fn add(&mut self, ev: Evidence) {
        if let Some(existing) = self
            .evidence
            .iter_mut()
            .find(|e| e.file == ev.file && e.line == ev.line)
        {
            // A very long line is clipped around each match: the other clip's highlights are
            // moved into this one's text, or left out when that part is not shown here.
            for &h in &ev.highlights {
                if let Some(h) = existing.place(&ev, h) {
                    if !existing.highlights.contains(&h) {
                        existing.highlights.push(h);
                    }
                }
            }
            existing.highlights.sort_unstable();
        } else if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(ev);
        } else {
            let mut per_file: std::collections::BTreeMap<&str, usize> = Default::default();
            for e in &self.evidence {
                *per_file.entry(e.file.as_str()).or_default() += 1;
            }
            let mine = per_file.get(ev.file.as_str()).copied().unwrap_or(0);
            // The file with the most lines (the first by name on a tie).
            let Some((most, n)) = per_file
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(f, n)| (f.to_string(), *n))
            else {
                return;
            };
            if n > mine + 1 {
                let last = self
                    .evidence
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.file == most)
                    .max_by_key(|(_, e)| e.line)
                    .map(|(i, _)| i);
                if let Some(i) = last {
                    self.evidence.remove(i);
                    self.evidence.push(ev);
                }
            }
        }
    }
}

/// Orders findings most severe first, then by the time they were first seen, then by id.
pub fn order(findings: &mut [Finding]) {
    for f in findings.iter_mut() {
        sort_stable_by(&mut f.evidence, |a, b| {
            (a.timestamp.is_none(), a.timestamp, &a.file, a.line).cmp(&(
                b.timestamp.is_none(),
                b.timestamp,
                &b.file,
                b.line,
            ))
        });
    }
    sort_stable_by(findings, |a, b| {
        let (ta, tb) = (a.first_seen(), b.first_seen());
        b.severity
            .cmp(&a.severity)
            .then((ta.is_none(), ta).cmp(&(tb.is_none(), tb)))
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Builds evidence for the line holding `start..end` of a decoded text, whose 1-based number
/// in that text is `line`, with the context lines around it that the text holds.
pub(crate) fn evidence(
    file: &str,
    text: &str,
    line: u32,
    timestamp: Option<Timestamp>,
    start: usize,
    end: usize,
) -> Evidence {
    let range = lines::line_at(text, start);
    let raw = &text[range.clone()];
    let hs = start.saturating_sub(range.start).min(raw.len());
    let he = end.saturating_sub(range.start).clamp(hs, raw.len());
    let (text_out, highlight, clipped) = clip(raw, hs, he);
    let context = |n: u32, r: std::ops::Range<usize>| ContextLine {
        line: n,
        text: clip_context(&text[r]),
    };
    let mut before = Vec::new();
    let mut at = range.start;
    for n in (line.saturating_sub(CONTEXT).max(1)..line).rev() {
        let Some(r) = lines::line_before(text, at) else {
            break;
        };
        at = r.start;
        before.push(context(n, r));
    }
    before.reverse();
    let mut after = Vec::new();
    let mut at = range.end;
    for n in line + 1..=line + CONTEXT {
        let Some(r) = lines::line_after(text, at) else {
            break;
        };
        at = r.end;
        after.push(context(n, r));
    }
    Evidence {
        file: file.to_string(),
        line,
        timestamp,
        text: text_out,
        highlights: vec![highlight],
        before,
        after,
        clip: clipped,
    }
}

/// A context line, clipped when very long.
pub(crate) fn clip_context(line: &str) -> String {
    clip(line, 0, 0).0
}

/// Clips a long line to a window around `hs..he`, marking cuts with `…`; also gives the
/// window, when the line was clipped.
fn clip(line: &str, hs: usize, he: usize) -> (String, (usize, usize), Option<(usize, usize)>) {
    if line.len() <= MAX_LINE {
        return (line.to_string(), (hs, he), None);
    }
    let floor = |mut i: usize| {
        while !line.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let from = floor(hs.saturating_sub(MAX_LINE / 4));
    let to = floor(
        (from + MAX_LINE)
            .min(line.len())
            .max(he.min(from + MAX_LINE)),
    );
    let mut out = String::with_capacity(to - from + 8);
    let mut shift = 0;
    if from > 0 {
        out.push('…');
        shift = '…'.len_utf8();
    }
    out.push_str(&line[from..to]);
    if to < line.len() {
        out.push('…');
    }
    let map = |i: usize| (i.clamp(from, to) - from) + shift;
    (out, (map(hs), map(he)), Some((from, to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two matches on one very long line make two clips of it; merging them moves the second
    /// highlight into the first clip's text when it is shown there (its offsets shifted to the
    /// characters of that text), and leaves it out when not.
    #[test]
    fn highlights_of_two_clips_of_a_line_are_merged_in_place() {
        let line = format!(
            "{}alpha{}beta{}gamma{}",
            "é".repeat(300),
            "x".repeat(100),
            "ü".repeat(3000),
            "y".repeat(10)
        );
        let at = |w: &str| line.find(w).unwrap();
        let ev = |w: &str| evidence("f.log", &line, 1, None, at(w), at(w) + w.len());
        let rule = crate::Catalogue::builtin().rules.first().unwrap();
        let mut f = Finding::new(rule);
        f.add(ev("alpha"));
        f.add(ev("beta"));
        f.add(ev("gamma"));
        assert_eq!(f.evidence.len(), 1);
        let e = &f.evidence[0];
        let shown: Vec<&str> = e.highlights.iter().map(|&(s, t)| &e.text[s..t]).collect();
        assert_eq!(
            shown,
            ["alpha", "beta"],
            "gamma lies outside the first clip"
        );
    }

    #[test]
    fn evidence_has_context_and_highlight() {
        let text = "l1\nl2\nl3 needle here\nl4\nl5\nl6";
        let at = text.find("needle").unwrap();
        let ev = evidence("f.log", text, 3, None, at, at + 6);
        assert_eq!(ev.text, "l3 needle here");
        assert_eq!(ev.highlights, [(3, 9)]);
        assert_eq!(ev.before.iter().map(|c| c.line).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            ev.after.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["l4", "l5"]
        );
        let ev = evidence("f.log", text, 1, None, 0, 1);
        assert!(ev.before.is_empty());
    }

    #[test]
    fn very_long_lines_are_clipped_around_the_match() {
        let line = format!("{}NEEDLE{}", "é".repeat(5000), "x".repeat(5000));
        let at = line.find("NEEDLE").unwrap();
        let (out, (s, e), _) = clip(&line, at, at + 6);
        assert!(out.len() < MAX_LINE + 10);
        assert_eq!(&out[s..e], "NEEDLE");
        assert!(out.starts_with('…') && out.ends_with('…'));
    }
}
