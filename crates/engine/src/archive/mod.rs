//! Compressed input, streamed through the same path as plain files: gzip (`agent0.log.0.gz`)
//! and ZIP (as downloaded from an ECC Queue attachment or a support bundle), read entry by entry
//! from their local headers, so neither is ever held whole. Decompression is capped: an input
//! that expands more than [`MAX_RATIO`] times, or beyond [`MAX_TOTAL`] bytes, is refused as a
//! likely decompression bomb, with a message naming the file.

mod parts;
mod zip;

use std::borrow::BorrowMut;

use flate2::{Decompress, FlushDecompress, Status};

pub use parts::{zip_directory, zip_parts, ZipPart, ZIP_PART, ZIP_TAIL};
use zip::{Counts, Zip};

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

/// Feeds one input (plain, gzip or ZIP) to an analyzer, chunk by chunk. It borrows the
/// analyzer (`Intake::new(&mut analyzer, ..)`) or owns it until [`Intake::finish`] gives it back
/// (for callers that read asynchronously and keep the intake between chunks).
pub struct Intake<A> {
    analyzer: A,
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

impl<A: BorrowMut<Analyzer>> Intake<A> {
    /// Starts reading the input `name`; `kind` overrides detection for plain files.
    pub fn new(analyzer: A, name: &str, kind: Option<FileKind>) -> Self {
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

    /// Starts reading `part` of the ZIP archive `name`, given the part's bytes only: its
    /// entries are named and counted as in a reading of the whole archive, and the last part
    /// reports on the archive as a whole.
    pub fn part(analyzer: A, name: &str, kind: Option<FileKind>, part: &ZipPart) -> Self {
        let mut intake = Intake::new(analyzer, name, kind);
        // The bomb caps go on from the entries before the part.
        intake.bytes_in = part.start;
        intake.bytes_out = part.out_before;
        intake.state = State::Zip(Zip::new(part.counts.clone(), part.last, true));
        intake
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
            State::Plain => self.analyzer.borrow_mut().feed(bytes),
            State::Gzip { .. } => self.gzip(bytes),
            State::Zip(_) => self.zip(bytes),
            State::Done => {}
        }
    }

    /// Ends the input (its problems, if any, are reported to the analyzer by file name) and
    /// gives the analyzer back.
    pub fn finish(mut self) -> A {
        if let State::Sniff(head) = &mut self.state {
            let head = std::mem::take(head);
            self.start(&head);
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Plain => self.analyzer.borrow_mut().end_file(),
            // The compressed data stopped before its end: what came out is kept.
            State::Gzip { .. } => self.stop(
                ErrorKind::Unreadable,
                "the gzip data ends early (the file is truncated or still being written); \
                 the lines before the cut were analysed"
                    .into(),
                true,
            ),
            State::Zip(z) => {
                if z.entry.as_ref().is_some_and(|e| e.analysed) {
                    self.analyzer.borrow_mut().end_file();
                }
                // A part that other parts follow leaves the whole archive to the last one.
                if z.last {
                    self.zip_end(z.counts);
                }
            }
            State::Sniff(_) | State::Done => {}
        }
        self.analyzer
    }

    /// Reports what the archive held as a whole, once its entries are read.
    fn zip_end(&mut self, counts: Counts) {
        let nested = (!counts.nested.is_empty()).then(|| {
            format!(
                "archives inside it are not opened ({}); extract them and add them as files",
                counts.nested.join(", ")
            )
        });
        if counts.entries == 0 {
            let also = nested.map(|n| format!("; {n}")).unwrap_or_default();
            self.refuse(format!(
                "the ZIP archive holds no log files{}{also}",
                skipped_note(counts.skipped)
            ));
            return;
        }
        if let Some(n) = nested {
            self.note(n);
        }
        if counts.over_limit > 0 {
            self.note(format!(
                "only its first {MAX_ENTRIES} log files were analysed; {} more were not (extract the ones you need and add them as files)",
                counts.over_limit
            ));
        }
    }

    /// Whether more bytes of this input would be used: false once a plain file was refused
    /// (binary, empty) or the whole input was (a decompression bomb), so that a caller can stop
    /// reading it. A 2 GB binary file is then refused after its first chunk, not read through.
    pub fn wants_more(&self) -> bool {
        match &self.state {
            State::Done => false,
            State::Plain => !self.analyzer.borrow().file_failed(),
            _ => true,
        }
    }

    /// The analyzer being fed (for progress and findings so far).
    pub fn analyzer(&self) -> &Analyzer {
        self.analyzer.borrow()
    }

    /// Ends the input early because reading it failed: what was read is kept, with the error;
    /// gives the analyzer back.
    pub fn fail(mut self, reason: &str) -> A {
        let open = match &self.state {
            State::Plain | State::Gzip { .. } => true,
            State::Zip(z) => z.entry.as_ref().is_some_and(|e| e.analysed),
            State::Sniff(_) | State::Done => false,
        };
        self.stop(ErrorKind::Unreadable, reason.to_string(), open);
        self.analyzer
    }

    /// Reports `reason` on the open file (or, when none is open, on a file named after the
    /// input), keeps what was read, and stops reading the input.
    fn stop(&mut self, kind: ErrorKind, reason: String, open: bool) {
        if !open {
            self.analyzer.borrow_mut().begin_file(&self.name, None);
        }
        self.analyzer
            .borrow_mut()
            .fail_file(Error::new(kind, reason).in_file(self.name.clone()));
        self.analyzer.borrow_mut().end_file();
        self.analyzer.borrow_mut().stop_input();
        self.state = State::Done;
    }

    fn start(&mut self, head: &[u8]) {
        if head.starts_with(b"\x1f\x8b") {
            let inner = self
                .name
                .strip_suffix(".gz")
                .unwrap_or(&self.name)
                .to_string();
            self.analyzer.borrow_mut().begin_file(&inner, self.kind);
            self.state = State::Gzip {
                header: Vec::new(),
                inflate: None,
            };
            self.gzip(head);
        } else if head.starts_with(b"PK\x03\x04") {
            self.state = State::Zip(Zip::new(Counts::default(), true, false));
            self.zip(head);
        } else {
            self.analyzer.borrow_mut().begin_file(&self.name, self.kind);
            self.state = State::Plain;
            self.analyzer.borrow_mut().feed(head);
        }
    }

    /// Reports something about the input as a whole that did not stop it being read.
    fn note(&mut self, reason: String) {
        let e = Error::new(ErrorKind::Unreadable, reason).in_file(self.name.clone());
        self.analyzer.borrow_mut().note(e);
    }

    /// Reports a problem with the input and stops reading it.
    fn refuse(&mut self, reason: String) {
        self.stop(ErrorKind::Binary, reason, false);
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
            self.stop(ErrorKind::Binary, reason, true);
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
            let result = inflate.decompress(input, &mut self.buf, FlushDecompress::None);
            let used = (inflate.total_in() - before_in) as usize;
            let made = (inflate.total_out() - before_out) as usize;
            let status = match result {
                Ok(status) => status,
                Err(e) => {
                    // What came out before the corrupt part is analysed, however the input
                    // is cut into chunks.
                    if made > 0 {
                        let out = self.buf[..made].to_vec();
                        self.analyzer.borrow_mut().feed(&out);
                    }
                    return Err(format!("corrupt compressed data: {e}"));
                }
            };
            input = &input[used..];
            if made > 0 {
                let out = self.buf[..made].to_vec();
                self.analyzer.borrow_mut().feed(&out);
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
                    self.stop(ErrorKind::Binary, reason, true);
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
                    self.analyzer.borrow_mut().end_file();
                    self.state = State::Done;
                }
            }
            Err(reason) if reason.is_empty() => {}
            Err(reason) => self.stop(ErrorKind::Binary, reason, true),
        }
    }
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
