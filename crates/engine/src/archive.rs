//! Compressed input, streamed through the same path as plain files: gzip (`agent0.log.0.gz`)
//! and ZIP (as downloaded from an ECC Queue attachment or a support bundle), read entry by entry
//! from their local headers, so neither is ever held whole. Decompression is capped: an input
//! that expands more than [`MAX_RATIO`] times, or beyond [`MAX_TOTAL`] bytes, is refused as a
//! likely decompression bomb, with a message naming the file.

use flate2::{Decompress, FlushDecompress, Status};

use crate::error::{Error, ErrorKind};
use crate::kind::FileKind;
use crate::stream::Analyzer;

/// Largest expansion accepted (logs compress about 5 to 20 times).
pub const MAX_RATIO: u64 = 200;
/// The ratio is checked once this much has come out, so small inputs are never refused.
const RATIO_GRACE: u64 = 16 << 20;
/// Most decompressed bytes accepted from one archive.
pub const MAX_TOTAL: u64 = 64 << 30;
/// Most entries of a ZIP that are analysed.
pub const MAX_ENTRIES: usize = 500;

/// Feeds one input (plain, gzip or ZIP) to an analyzer, chunk by chunk.
pub struct Intake<'a, 'c> {
    analyzer: &'a mut Analyzer<'c>,
    name: String,
    kind: Option<FileKind>,
    state: State,
    bytes_in: u64,
    bytes_out: u64,
    buf: Vec<u8>,
}

enum State {
    Sniff(Vec<u8>),
    Plain,
    Gzip {
        header: Vec<u8>,
        inflate: Option<Decompress>,
    },
    Zip(Zip),
    Done,
}

/// A ZIP read sequentially: a local header, then its data, then the next header.
struct Zip {
    pending: Vec<u8>,
    entry: Option<Entry>,
    entries: usize,
    skipped: usize,
    ended: bool,
    /// A data descriptor follows the entry just read and is not fully here yet.
    descriptor_due: bool,
}

struct Entry {
    inflate: Option<Decompress>,
    /// Bytes of stored (uncompressed) data left, or compressed bytes left when known.
    remaining: Option<u64>,
    analysed: bool,
    descriptor: bool,
}

impl<'a, 'c> Intake<'a, 'c> {
    /// Starts reading the input `name`; `kind` overrides detection for plain files.
    pub fn new(analyzer: &'a mut Analyzer<'c>, name: &str, kind: Option<FileKind>) -> Self {
        Intake {
            analyzer,
            name: name.to_string(),
            kind,
            state: State::Sniff(Vec::new()),
            bytes_in: 0,
            bytes_out: 0,
            buf: vec![0; 256 << 10],
        }
    }

    /// Feeds the next bytes of the input.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.bytes_in += bytes.len() as u64;
        match &mut self.state {
            State::Sniff(head) => {
                head.extend_from_slice(bytes);
                if head.len() >= 4 {
                    let head = std::mem::take(head);
                    self.start(&head);
                }
            }
            State::Plain => self.analyzer.feed(bytes),
            State::Gzip { .. } => self.gzip(bytes),
            State::Zip(_) => self.zip(bytes),
            State::Done => {}
        }
    }

    /// Ends the input (its problems, if any, are reported to the analyzer by file name).
    pub fn finish(mut self) {
        if let State::Sniff(head) = &mut self.state {
            let head = std::mem::take(head);
            self.start(&head);
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Plain => self.analyzer.end_file(),
            State::Gzip { .. } => self.analyzer.end_file(),
            State::Zip(z) => {
                if z.entry.as_ref().is_some_and(|e| e.analysed) {
                    self.analyzer.end_file();
                }
                if z.entries == 0 {
                    self.refuse(format!(
                        "the ZIP archive holds no log files{}",
                        skipped_note(z.skipped)
                    ));
                }
            }
            State::Sniff(_) | State::Done => {}
        }
    }

    /// The analyzer being fed (for progress and findings so far).
    pub fn analyzer(&self) -> &Analyzer<'c> {
        self.analyzer
    }

    /// Ends the input early because reading it failed: what was read is kept, with the error.
    pub fn fail(mut self, reason: &str) {
        let error =
            Error::new(ErrorKind::Unreadable, reason.to_string()).in_file(self.name.clone());
        let open = match &self.state {
            State::Plain | State::Gzip { .. } => true,
            State::Zip(z) => z.entry.as_ref().is_some_and(|e| e.analysed),
            State::Sniff(_) | State::Done => false,
        };
        if !open {
            self.analyzer.begin_file(&self.name, None);
        }
        self.analyzer.fail_file(error);
        self.analyzer.end_file();
        self.state = State::Done;
    }

    fn start(&mut self, head: &[u8]) {
        if head.starts_with(b"\x1f\x8b") {
            let inner = self
                .name
                .strip_suffix(".gz")
                .unwrap_or(&self.name)
                .to_string();
            self.analyzer.begin_file(&inner, self.kind);
            self.state = State::Gzip {
                header: Vec::new(),
                inflate: None,
            };
            self.gzip(head);
        } else if head.starts_with(b"PK\x03\x04") {
            self.state = State::Zip(Zip {
                pending: Vec::new(),
                entry: None,
                entries: 0,
                skipped: 0,
                ended: false,
                descriptor_due: false,
            });
            self.zip(head);
        } else {
            self.analyzer.begin_file(&self.name, self.kind);
            self.state = State::Plain;
            self.analyzer.feed(head);
        }
    }

    /// Reports a problem with the input and stops reading it.
    fn refuse(&mut self, reason: String) {
        let error = Error::new(ErrorKind::Binary, reason).in_file(self.name.clone());
        self.analyzer.begin_file(&self.name, None);
        self.analyzer.fail_file(error);
        self.analyzer.end_file();
        self.state = State::Done;
    }

    /// Counts decompressed bytes; false (and the input refused) past the caps.
    fn account(&mut self, out: usize) -> bool {
        self.bytes_out += out as u64;
        let bomb = self.bytes_out > MAX_TOTAL
            || (self.bytes_out > RATIO_GRACE && self.bytes_out > self.bytes_in.max(1) * MAX_RATIO);
        if bomb {
            let reason = format!(
                "refused: it expands more than {MAX_RATIO} times (over {} MB from {} KB read), which looks like a decompression bomb",
                self.bytes_out >> 20,
                self.bytes_in >> 10
            );
            self.analyzer
                .fail_file(Error::new(ErrorKind::Binary, reason).in_file(self.name.clone()));
            self.analyzer.end_file();
            self.state = State::Done;
        }
        !bomb
    }

    /// Inflates `input` with `inflate`, feeding the output; returns bytes consumed and whether
    /// the deflate stream ended.
    fn inflate(
        &mut self,
        inflate: &mut Decompress,
        mut input: &[u8],
    ) -> Result<(usize, bool), String> {
        let start = inflate.total_in();
        loop {
            let (before_in, before_out) = (inflate.total_in(), inflate.total_out());
            let status = inflate
                .decompress(input, &mut self.buf, FlushDecompress::None)
                .map_err(|e| format!("corrupt compressed data: {e}"))?;
            let used = (inflate.total_in() - before_in) as usize;
            let made = (inflate.total_out() - before_out) as usize;
            input = &input[used..];
            if made > 0 {
                let out = self.buf[..made].to_vec();
                self.analyzer.feed(&out);
                if !self.account(made) {
                    return Err(String::new());
                }
            }
            if status == Status::StreamEnd {
                return Ok(((inflate.total_in() - start) as usize, true));
            }
            if input.is_empty() && made < self.buf.len() {
                return Ok(((inflate.total_in() - start) as usize, false));
            }
            if used == 0 && made == 0 {
                return Err("corrupt compressed data".into());
            }
        }
    }

    fn gzip(&mut self, bytes: &[u8]) {
        let State::Gzip { header, inflate } = &mut self.state else {
            return;
        };
        let rest = bytes;
        if inflate.is_none() {
            header.extend_from_slice(bytes);
            match gzip_header_len(header) {
                None => return,
                Some(Err(reason)) => {
                    self.analyzer.fail_file(
                        Error::new(ErrorKind::Binary, reason).in_file(self.name.clone()),
                    );
                    self.state = State::Done;
                    self.analyzer.end_file();
                    return;
                }
                Some(Ok(n)) => {
                    let body = header.split_off(n);
                    let mut d = Decompress::new(false);
                    let result = self.inflate(&mut d, &body);
                    self.after_gzip(d, result);
                    return;
                }
            }
        }
        let Some(mut d) = inflate.take() else { return };
        let result = self.inflate(&mut d, rest);
        self.after_gzip(d, result);
    }

    fn after_gzip(&mut self, d: Decompress, result: Result<(usize, bool), String>) {
        match result {
            Ok((_, false)) => {
                if let State::Gzip { inflate, .. } = &mut self.state {
                    *inflate = Some(d);
                }
            }
            // The first member has ended: the rest (trailer, padding) is ignored.
            Ok((_, true)) => {
                if let State::Gzip { .. } = self.state {
                    self.analyzer.end_file();
                    self.state = State::Done;
                }
            }
            Err(reason) if reason.is_empty() => {}
            Err(reason) => {
                self.analyzer
                    .fail_file(Error::new(ErrorKind::Binary, reason).in_file(self.name.clone()));
                self.analyzer.end_file();
                self.state = State::Done;
            }
        }
    }

    fn zip(&mut self, bytes: &[u8]) {
        let State::Zip(z) = &mut self.state else {
            return;
        };
        if z.ended {
            return;
        }
        z.pending.extend_from_slice(bytes);
        loop {
            let State::Zip(z) = &mut self.state else {
                return;
            };
            if let Some(mut entry) = z.entry.take() {
                let data = std::mem::take(&mut z.pending);
                let (used, ended) = match (&mut entry.inflate, entry.remaining) {
                    (Some(d), _) => {
                        let mut d2 = std::mem::replace(d, Decompress::new(false));
                        let take = entry
                            .remaining
                            .map_or(data.len(), |r| (r as usize).min(data.len()));
                        let r = if entry.analysed {
                            self.inflate(&mut d2, &data[..take])
                        } else {
                            skip_inflate(&mut d2, &data[..take])
                        };
                        match r {
                            Ok((used, ended)) => {
                                entry.inflate = Some(d2);
                                if let Some(left) = &mut entry.remaining {
                                    *left -= used as u64;
                                }
                                (used, ended)
                            }
                            Err(reason) if reason.is_empty() => return,
                            Err(reason) => {
                                self.refuse_entry(reason);
                                return;
                            }
                        }
                    }
                    (None, Some(left)) => {
                        let take = (left as usize).min(data.len());
                        if entry.analysed {
                            self.analyzer.feed(&data[..take]);
                            if !self.account(take) {
                                return;
                            }
                        }
                        entry.remaining = Some(left - take as u64);
                        (take, left as usize == take)
                    }
                    (None, None) => {
                        self.refuse_entry(
                            "a stored ZIP entry without its size cannot be read".into(),
                        );
                        return;
                    }
                };
                let State::Zip(z) = &mut self.state else {
                    return;
                };
                z.pending = data[used..].to_vec();
                if !ended {
                    z.entry = Some(entry);
                    return;
                }
                if entry.analysed {
                    self.analyzer.end_file();
                }
                let State::Zip(z) = &mut self.state else {
                    return;
                };
                z.descriptor_due = entry.descriptor;
                continue;
            }
            if z.descriptor_due {
                // crc and sizes, with an optional signature (ZIP64 descriptors are not supported).
                let len = if z.pending.starts_with(b"PK\x07\x08") {
                    16
                } else {
                    12
                };
                if z.pending.len() < len {
                    return;
                }
                z.pending.drain(..len);
                z.descriptor_due = false;
            }
            // The next local header, or the end of the entries.
            if z.pending.len() < 30 {
                return;
            }
            if !z.pending.starts_with(b"PK\x03\x04") {
                // The central directory: every entry has been read.
                z.pending.clear();
                z.ended = true;
                return;
            }
            let h = &z.pending;
            let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]) as usize;
            let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]) as u64;
            let (flags, method, csize) = (u16_at(6), u16_at(8), u32_at(18));
            let (name_len, extra_len) = (u16_at(26), u16_at(28));
            if h.len() < 30 + name_len + extra_len {
                return;
            }
            let name = String::from_utf8_lossy(&h[30..30 + name_len]).into_owned();
            z.pending.drain(..30 + name_len + extra_len);
            let descriptor = flags & 0x08 != 0;
            let known = !descriptor && csize != 0xFFFF_FFFF;
            let wanted = looks_like_log(&name) && z.entries < MAX_ENTRIES;
            if wanted {
                z.entries += 1;
            } else if !name.ends_with('/') {
                z.skipped += 1;
            }
            let inflate = match method {
                8 => Some(Decompress::new(false)),
                0 => None,
                _ => {
                    self.refuse(format!(
                        "entry {name} uses an unsupported compression method ({method})"
                    ));
                    return;
                }
            };
            if method == 0 && !known {
                self.refuse(format!("entry {name} is stored without its size"));
                return;
            }
            if wanted {
                let full = format!("{}!/{name}", self.name);
                self.analyzer.begin_file(&full, self.kind);
            }
            let State::Zip(z) = &mut self.state else {
                return;
            };
            z.entry = Some(Entry {
                inflate,
                remaining: known.then_some(csize),
                analysed: wanted,
                descriptor,
            });
        }
    }

    fn refuse_entry(&mut self, reason: String) {
        self.analyzer
            .fail_file(Error::new(ErrorKind::Binary, reason).in_file(self.name.clone()));
        self.analyzer.end_file();
        self.state = State::Done;
    }
}

/// Inflates without keeping the output (an entry that is not analysed).
fn skip_inflate(d: &mut Decompress, mut input: &[u8]) -> Result<(usize, bool), String> {
    let start = d.total_in();
    let mut sink = vec![0u8; 64 << 10];
    loop {
        let before = d.total_in();
        let status = d
            .decompress(input, &mut sink, FlushDecompress::None)
            .map_err(|e| format!("corrupt compressed data: {e}"))?;
        input = &input[(d.total_in() - before) as usize..];
        if status == Status::StreamEnd {
            return Ok(((d.total_in() - start) as usize, true));
        }
        if input.is_empty() {
            return Ok(((d.total_in() - start) as usize, false));
        }
    }
}

/// Entries worth analysing: logs and text, not binaries or nested archives.
fn looks_like_log(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    !name.ends_with('/')
        && (base.contains(".log")
            || base.ends_with(".txt")
            || base.ends_with(".xml")
            || base.ends_with(".out"))
}

fn skipped_note(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(" ({n} other entries were skipped)")
    }
}

/// The length of a gzip header, once enough bytes are there.
fn gzip_header_len(h: &[u8]) -> Option<Result<usize, String>> {
    if h.len() < 10 {
        return None;
    }
    if h[2] != 8 {
        return Some(Err("not a deflate-compressed gzip file".into()));
    }
    let flags = h[3];
    let mut i = 10;
    if flags & 0x04 != 0 {
        let xlen = u16::from_le_bytes([*h.get(10)?, *h.get(11)?]) as usize;
        i += 2 + xlen;
    }
    for bit in [0x08, 0x10] {
        if flags & bit != 0 {
            let end = h.get(i..)?.iter().position(|&b| b == 0)?;
            i += end + 1;
        }
    }
    if flags & 0x02 != 0 {
        i += 2;
    }
    (h.len() >= i).then_some(Ok(i))
}
