//! Line boundaries of a decoded text: LF, CRLF and lone CR each end one line.

use std::ops::Range;

/// How many line breaks `bytes` holds: LF, CRLF and lone CR each count once.
pub fn count_breaks(bytes: &[u8]) -> usize {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    if memchr::memchr(b'\r', bytes).is_none() {
        return lf;
    }
    let cr = memchr::memchr_iter(b'\r', bytes).count();
    let crlf = memchr::memmem::find_iter(bytes, b"\r\n").count();
    lf + cr - crlf
}

/// How many lines `text` has. A final line without a terminator still counts; an empty tail
/// after the last terminator does not.
pub fn count_lines(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.last() {
        None => 0,
        Some(b'\n' | b'\r') => count_breaks(bytes),
        Some(_) => count_breaks(bytes) + 1,
    }
}

/// The 1-based number of the line holding byte `offset`, counting `\n` line ends (as TOML and
/// XML parsers report positions).
pub fn number_at(text: &str, offset: usize) -> u32 {
    let at = offset.min(text.len());
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() as u32 + 1
}

/// The byte range of the line holding `offset`, without its terminator.
pub fn line_at(text: &str, offset: usize) -> Range<usize> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let start = memchr::memrchr2(b'\n', b'\r', &bytes[..offset]).map_or(0, |i| i + 1);
    let end = next_break(&bytes[offset..]).map_or(bytes.len(), |i| offset + i);
    start..end
}

/// The line before the one that starts at byte `start`, without its terminator.
pub fn line_before(text: &str, start: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut end = start.checked_sub(1)?;
    if bytes.get(end) == Some(&b'\n') && end > 0 && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    let from = memchr::memrchr2(b'\n', b'\r', &bytes[..end]).map_or(0, |i| i + 1);
    Some(from..end)
}

/// The line after the one that ends (before its terminator) at byte `end`.
pub fn line_after(text: &str, end: usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let next = match bytes.get(end)? {
        b'\r' if bytes.get(end + 1) == Some(&b'\n') => end + 2,
        _ => end + 1,
    };
    if next >= bytes.len() {
        return None;
    }
    let to = next_break(&bytes[next..]).map_or(bytes.len(), |i| next + i);
    Some(next..to)
}

fn next_break(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', bytes)
}

/// The longest start of `text` of at most `max` bytes that ends on a character boundary.
pub fn head(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Whether `hay` holds `needle`, ASCII case aside (as rule literals match), without copying.
pub fn contains_folded(hay: &str, needle: &str) -> bool {
    let n = needle.as_bytes();
    n.is_empty()
        || hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n))
}

/// Splits `text` into `(line_number, line)` pairs, 1-based, terminators removed.
pub fn numbered(text: &str) -> impl Iterator<Item = (u32, usize, &str)> {
    let mut rest = text;
    let mut offset = 0usize;
    let mut n = 0u32;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        n += 1;
        let bytes = rest.as_bytes();
        let (line_len, skip) = match next_break(bytes) {
            Some(i) if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') => (i, i + 2),
            Some(i) => (i, i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let line = &rest[..line_len];
        let at = offset;
        rest = &rest[skip..];
        offset += skip;
        Some((n, at, line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_end_on_character_boundaries_and_folding_ignores_only_ascii_case() {
        assert_eq!(head("Größe", 3), "Gr");
        assert_eq!(head("Größe", 4), "Grö");
        assert_eq!(head("abc", 10), "abc");
        assert!(contains_folded("SEVERE *** ERROR ***", "error"));
        assert!(!contains_folded("Größe", "GRÖSSE"));
        assert!(contains_folded("x", ""));
        assert!(!contains_folded("", "x"));
    }

    fn all_lines(text: &str) -> Vec<&str> {
        numbered(text).map(|(_, _, l)| l).collect()
    }

    #[test]
    fn lf_crlf_and_lone_cr_each_end_a_line() {
        let text = "a\nb\r\nc\rd";
        assert_eq!(count_lines(text), 4);
        assert_eq!(all_lines(text), ["a", "b", "c", "d"]);
        assert_eq!(count_breaks(&text.as_bytes()[..text.find('c').unwrap()]), 2);
        let numbered: Vec<_> = numbered(text).map(|(n, _, l)| (n, l)).collect();
        assert_eq!(numbered, [(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
    }

    #[test]
    fn trailing_terminator_adds_no_line_but_blank_lines_count() {
        let text = "a\n\nb\n";
        assert_eq!(count_lines(text), 3);
        assert_eq!(all_lines(text), ["a", "", "b"]);
        assert_eq!(count_lines(""), 0);
        assert_eq!(count_lines("\r\n"), 1);
    }

    #[test]
    fn walking_lines_agrees_with_numbered() {
        for text in ["one\r\ntwo\rthree\nfour", "x\n\n\r\ny\r", "\nz", "solo"] {
            let lines: Vec<_> = numbered(text).collect();
            for (i, &(n, at, line)) in lines.iter().enumerate() {
                let range = line_at(text, at);
                assert_eq!(&text[range.clone()], line, "{text:?} line {n}");
                assert_eq!(count_breaks(&text.as_bytes()[..at]) + 1, n as usize);
                let before = line_before(text, range.start).map(|r| &text[r]);
                assert_eq!(before, i.checked_sub(1).map(|j| lines[j].2), "{text:?}");
                let after = line_after(text, range.end).map(|r| &text[r]);
                assert_eq!(after, lines.get(i + 1).map(|l| l.2), "{text:?}");
            }
            assert_eq!(count_lines(text), lines.len());
        }
    }

    /// Every mix of LF, CRLF and lone CR counts as the definition says, in spans of any length,
    /// including a span that ends inside a CRLF (its CR counts).
    #[test]
    fn breaks_count_in_spans_of_any_length() {
        let unit = "ab\r\ncd\ref\n\r\n\n\r\rgh";
        let text = unit.repeat(200);
        let reference = |bytes: &[u8]| {
            (0..bytes.len())
                .filter(|&i| {
                    bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                })
                .count()
        };
        let bytes = text.as_bytes();
        for end in (0..bytes.len())
            .step_by(7)
            .chain([511, 512, 513, 1024, bytes.len()])
        {
            for start in [0, 1, 2, 3, 300, 600] {
                if start <= end {
                    let span = &bytes[start..end];
                    assert_eq!(count_breaks(span), reference(span), "{start}..{end}");
                }
            }
        }
    }
}
