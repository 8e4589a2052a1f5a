//! A ZIP cut into parts that threads or workers analyse apart: each part is a run of whole
//! entries, from one local header to the next, found in the central directory at the
//! archive's end. Merged in order ([`crate::Merge::add_parts`]), the parts give exactly what
//! one reading of the whole archive gives: each part starts from what the entries before it
//! count, and only the last one reports on the archive as a whole.
//!
//! An archive is cut only when its directory is plain: no ZIP64, no encryption, no other
//! compression methods, no data before the first entry, sizes within the bomb caps. Anything
//! else is read whole, so that its problem is reported as one reading reports it.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::zip::Counts;
use super::{MAX_RATIO, MAX_TOTAL, RATIO_GRACE};

/// The most bytes at an archive's end that can hold its end record: the record itself and the
/// longest comment.
pub const ZIP_TAIL: u64 = 22 + 0xFFFF;

/// A good size for parts, in bytes of logs: big enough that a part's set-up and merge cost
/// little against its analysis, small enough that a bundle's logs spread over the cores.
pub const ZIP_PART: u64 = 16 << 20;

/// The largest central directory read to cut an archive (about 40,000 entries).
const MAX_DIRECTORY: u64 = 4 << 20;

/// One part of a ZIP archive, to be read with [`crate::Intake::part`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZipPart {
    /// Where the part starts in the archive: a local header.
    pub start: u64,
    /// Where it ends: the next part's first local header, or the central directory.
    pub end: u64,
    /// What the entries before it count.
    pub(super) counts: Counts,
    /// The bytes the entries before it inflate to, for the bomb caps.
    pub(super) out_before: u64,
    /// Whether it is the archive's last part.
    pub(super) last: bool,
}

/// Where the central directory of a ZIP of `len` bytes lies, from its last bytes (`tail`, at
/// most [`ZIP_TAIL`] of them); None when those bytes end no plain ZIP.
pub fn zip_directory(tail: &[u8], len: u64) -> Option<Range<u64>> {
    let tail_start = len.checked_sub(tail.len() as u64)?;
    // The end record is the last "PK\5\6" whose comment runs exactly to the end.
    let at = (0..=tail.len().checked_sub(22)?).rev().find(|&i| {
        tail[i..].starts_with(b"PK\x05\x06") && i + 22 + u16_at(tail, i + 20) == tail.len()
    })?;
    let (disk, total) = (u16_at(tail, at + 4), u16_at(tail, at + 10));
    let (size, offset) = (u32_at(tail, at + 12), u32_at(tail, at + 16));
    // Spanned archives and ZIP64 (whose fields are all ones) are read whole.
    if disk != 0 || total == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        return None;
    }
    let end = offset.checked_add(size)?;
    (end <= tail_start + at as u64 && size <= MAX_DIRECTORY).then_some(offset..end)
}

/// The parts of an archive of `len` bytes whose central directory, at `at`, is `directory`:
/// runs of entries that each inflate to about `min_part` bytes of logs or more. Empty when the
/// archive is better read whole (fewer than two parts, or anything unusual in it).
pub fn zip_parts(directory: &[u8], at: Range<u64>, len: u64, min_part: u64) -> Vec<ZipPart> {
    let Some(entries) = entries(directory, at.start) else {
        return Vec::new();
    };
    let mut parts: Vec<ZipPart> = Vec::new();
    let mut counts = Counts::default();
    let (mut out_before, mut in_part) = (0, 0);
    for (i, e) in entries.iter().enumerate() {
        if i == 0 || in_part >= min_part {
            parts.push(ZipPart {
                start: e.offset,
                end: 0,
                counts: counts.clone(),
                out_before,
                last: false,
            });
            in_part = 0;
        }
        if counts.count(&e.name) {
            out_before += e.size;
            in_part += e.size.max(1);
        }
    }
    // What the whole archive declares (all its logs' bytes, once every entry is counted) must pass the caps
    // one reading applies.
    let out = out_before;
    if out > MAX_TOTAL || (out > RATIO_GRACE && out > len.max(1) * MAX_RATIO) {
        return Vec::new();
    }
    // Entries after the last log join the part before them.
    if in_part == 0 && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() < 2 {
        return Vec::new();
    }
    let starts: Vec<u64> = parts.iter().skip(1).map(|p| p.start).collect();
    for (part, end) in parts.iter_mut().zip(starts.into_iter().chain([at.start])) {
        part.end = end;
    }
    if let Some(p) = parts.last_mut() {
        p.last = true;
    }
    parts
}

/// An entry of the central directory.
struct Entry {
    name: String,
    /// Where its local header is.
    offset: u64,
    /// Its size once inflated.
    size: u64,
}

/// The entries of a central directory starting at `start`, in the order of their data; None
/// when any of them would make the archive better read whole.
fn entries(d: &[u8], start: u64) -> Option<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut i = 0;
    while i < d.len() {
        if !d[i..].starts_with(b"PK\x01\x02") || d.len() < i + 46 {
            return None;
        }
        let (flags, method) = (u16_at(d, i + 8), u16_at(d, i + 10));
        let (csize, size, offset) = (u32_at(d, i + 20), u32_at(d, i + 24), u32_at(d, i + 42));
        let (name_len, extra, comment) = (u16_at(d, i + 28), u16_at(d, i + 30), u16_at(d, i + 32));
        let name = d.get(i + 46..i + 46 + name_len)?;
        let encrypted = flags & 1 != 0;
        let stored_without_size = method == 0 && flags & 8 != 0;
        let zip64 = [csize, size, offset].contains(&0xFFFF_FFFF);
        if encrypted || stored_without_size || zip64 || !matches!(method, 0 | 8) {
            return None;
        }
        entries.push(Entry {
            name: String::from_utf8_lossy(name).into_owned(),
            offset,
            size,
        });
        i += 46 + name_len + extra + comment;
    }
    // The entries lie one after the other from the archive's first byte.
    let in_order = entries.windows(2).all(|w| w[0].offset < w[1].offset);
    let first = entries.first().map(|e| e.offset);
    let inside = entries.last().is_some_and(|e| e.offset < start);
    (in_order && first == Some(0) && inside).then_some(entries)
}

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> u64 {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as u64
}
