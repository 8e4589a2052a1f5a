//! ZIP archives read sequentially, entry by entry from their local headers: an entry's data is
//! inflated (or passed through, when stored) into the analyzer as it arrives; entries that are
//! not logs are skipped; data descriptors are handled by the deflate stream's own end.

use std::borrow::BorrowMut;

use flate2::{Decompress, FlushDecompress, Status};
use serde::{Deserialize, Serialize};

use super::{Intake, State, MAX_ENTRIES};
use crate::error::ErrorKind;
use crate::stream::Analyzer;

/// A ZIP read sequentially: a local header, then its data, then the next header.
pub(super) struct Zip {
    pub(super) pending: Vec<u8>,
    pub(super) entry: Option<Entry>,
    pub(super) counts: Counts,
    /// Whether the archive ends with these entries: what it holds as a whole is reported at
    /// the end (false for a part that other parts follow).
    pub(super) last: bool,
    /// Whether these are a part's bytes, cut at the central directory's offsets.
    pub(super) part: bool,
    pub(super) ended: bool,
    /// A data descriptor follows the entry just read and is not fully here yet.
    pub(super) descriptor_due: bool,
}

impl Zip {
    /// A ZIP whose entries read so far count `counts`.
    pub(super) fn new(counts: Counts, last: bool, part: bool) -> Zip {
        Zip {
            pending: Vec::new(),
            entry: None,
            counts,
            last,
            part,
            ended: false,
            descriptor_due: false,
        }
    }
}

/// What a ZIP's entries count, in the order they come: a part of an archive read apart starts
/// from what the entries before it count, so its last part reports the same as one reading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Counts {
    /// Log entries analysed.
    pub(super) entries: usize,
    /// Entries that are not logs.
    pub(super) skipped: usize,
    /// Log entries past [`MAX_ENTRIES`], not analysed.
    pub(super) over_limit: usize,
    /// Archives inside the archive, not opened.
    pub(super) nested: Vec<String>,
}

impl Counts {
    /// Counts the entry `name`: true when it is analysed.
    pub(super) fn count(&mut self, name: &str) -> bool {
        let log = looks_like_log(name);
        let wanted = log && self.entries < MAX_ENTRIES;
        if wanted {
            self.entries += 1;
        } else if log {
            self.over_limit += 1;
        } else if !name.ends_with('/') {
            self.skipped += 1;
            if is_archive(name) {
                self.nested.push(name.to_string());
            }
        }
        wanted
    }
}

pub(super) struct Entry {
    pub(super) inflate: Option<Decompress>,
    /// Bytes of stored (uncompressed) data left, or compressed bytes left when known.
    pub(super) remaining: Option<u64>,
    pub(super) analysed: bool,
    pub(super) descriptor: bool,
}

impl<A: BorrowMut<Analyzer>> Intake<A> {
    pub(super) fn zip(&mut self, bytes: &[u8]) {
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
                                self.stop(ErrorKind::Binary, reason, entry.analysed);
                                return;
                            }
                        }
                    }
                    (None, Some(left)) => {
                        let take = (left as usize).min(data.len());
                        if entry.analysed {
                            self.analyzer.borrow_mut().feed(&data[..take]);
                            if !self.account(take) {
                                return;
                            }
                        }
                        entry.remaining = Some(left - take as u64);
                        (take, left as usize == take)
                    }
                    (None, None) => {
                        self.stop(
                            ErrorKind::Binary,
                            "a stored ZIP entry without its size cannot be read".into(),
                            entry.analysed,
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
                    self.analyzer.borrow_mut().end_file();
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
                // A part holds only entries: its directory gave offsets its entries do not have.
                if z.part {
                    self.note(
                        "its central directory does not match its entries, so some entries were \
                         not read; extract them and add them as files"
                            .into(),
                    );
                }
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
            let wanted = z.counts.count(&name);
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
                self.analyzer.borrow_mut().begin_file(&full, self.kind);
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

/// An archive inside an archive: not opened (extract it and add it as a file).
fn is_archive(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [".zip", ".gz", ".tgz", ".tar", ".7z", ".rar"]
        .iter()
        .any(|ext| n.ends_with(ext))
}
