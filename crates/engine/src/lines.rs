//! Line boundaries of a decoded text: LF, CRLF and lone CR each end one line.

/// The start offset of every line in a text, so that offsets map to 1-based line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`. A final line without a terminator still counts; an empty tail does not.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 80 + 1);
        starts.push(0);
        let mut i = 0;
        while let Some(pos) = next_break(&bytes[i..]) {
            let at = i + pos;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            if next < bytes.len() {
                starts.push(next);
            }
            i = next;
            if i >= bytes.len() {
                break;
            }
        }
        LineIndex {
            starts,
            len: bytes.len(),
        }
    }

    /// How many lines the text has.
    pub fn count(&self) -> usize {
        if self.len == 0 {
            0
        } else {
            self.starts.len()
        }
    }

    /// The 1-based line number holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }

    /// The byte range of line `n` (1-based), without its terminator.
    pub fn range(&self, text: &str, n: u32) -> Option<std::ops::Range<usize>> {
        let idx = (n as usize).checked_sub(1)?;
        let start = *self.starts.get(idx)?;
        let end = self.starts.get(idx + 1).copied().unwrap_or(self.len);
        let line = &text.as_bytes()[start..end];
        let trimmed = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .or_else(|| line.strip_suffix(b"\r"))
            .unwrap_or(line);
        Some(start..start + trimmed.len())
    }

    /// The text of line `n` (1-based), without its terminator.
    pub fn line<'t>(&self, text: &'t str, n: u32) -> Option<&'t str> {
        self.range(text, n).map(|r| &text[r])
    }
}

fn next_break(bytes: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', bytes)
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
    fn lf_crlf_and_lone_cr_each_end_a_line() {
        let text = "a\nb\r\nc\rd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.count(), 4);
        let lines: Vec<_> = (1..=4).map(|n| idx.line(text, n).unwrap()).collect();
        assert_eq!(lines, ["a", "b", "c", "d"]);
        assert_eq!(idx.line_of(text.find('c').unwrap()), 3);
        let numbered: Vec<_> = numbered(text).map(|(n, _, l)| (n, l)).collect();
        assert_eq!(numbered, [(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
    }

    #[test]
    fn trailing_terminator_adds_no_line_but_blank_lines_count() {
        let text = "a\n\nb\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.count(), 3);
        assert_eq!(idx.line(text, 2), Some(""));
        assert_eq!(numbered(text).count(), 3);
        assert_eq!(LineIndex::new("").count(), 0);
    }

    #[test]
    fn offsets_from_numbered_agree_with_the_index() {
        let text = "one\r\ntwo\rthree\nfour";
        let idx = LineIndex::new(text);
        for (n, at, line) in numbered(text) {
            assert_eq!(idx.line_of(at), n);
            assert_eq!(idx.line(text, n), Some(line));
        }
    }
}
