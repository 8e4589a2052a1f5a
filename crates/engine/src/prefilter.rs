//! A quick necessary test for "this line may hold a literal", run before the automaton.
//!
//! Each literal gives two neighbouring 4-byte windows of itself, its fingerprints: the pair
//! least frequent in the start of the text to search, ties going to rarer bytes. Bytes are
//! folded with `| 0x20`, which maps ASCII letters to lower case (and a few other bytes onto each
//! other), so what is found this way is a superset of the case-insensitive matches. Because
//! every literal has two neighbouring fingerprints, the search only needs to look at every
//! other position; each look is a few independent steps (a hash, one bit of an 8 KiB table, and
//! an exact check of the rare hits), which runs several times faster than an automaton whose
//! every step waits on the one before. A hit only says where to look: the caller checks the line
//! with the full automaton.

use std::cmp::Ordering;

/// The fold applied to text and fingerprints alike.
const FOLD: u32 = 0x2020_2020;
const FOLD64: u64 = 0x2020_2020_2020_2020;

/// Multiplier of the fingerprint hash (Knuth's golden-ratio constant).
const MIX: u32 = 0x9E37_79B1;

/// Relative frequency (per mille) of folded bytes in MID Server logs, measured on the field
/// guide's log samples; bytes not listed count as rare.
const COMMON: &[(u8, u32)] = &[
    (b' ', 87),
    (b'e', 73),
    (b'r', 52),
    (b'i', 48),
    (b'0', 45),
    (b't', 45),
    (b'a', 44),
    (b'n', 43),
    (b'o', 37),
    (b's', 36),
    (b'1', 34),
    (b'2', 31),
    (b'c', 27),
    (b'd', 27),
    (b'p', 27),
    (b'.', 25),
    (b'u', 23),
    (b'-', 23),
    (b':', 21),
    (b'*', 18),
    (b'g', 17),
    (b'm', 16),
    (b'l', 15),
    (b'/', 15),
    (b'v', 13),
    (b'h', 10),
    (b'w', 10),
    (b'f', 9),
];

/// The fingerprint table of a set of literals.
#[derive(Debug)]
pub(crate) struct Prefilter {
    bits: Vec<u64>,
    fingerprints: Vec<u32>,
}

/// How much of the sample text is looked at when choosing fingerprints.
pub(crate) const SAMPLE: usize = 1 << 20;

impl Prefilter {
    /// A prefilter for `literals`, with fingerprints chosen to be rare in `sample` (the start
    /// of the text to search), or `None` when a literal is shorter than four bytes.
    pub(crate) fn new(literals: &[String], sample: &[u8]) -> Option<Prefilter> {
        let windows: Vec<Vec<u32>> = literals
            .iter()
            .map(|l| l.as_bytes().windows(4).map(fold).collect())
            .collect();
        if windows.iter().any(Vec::is_empty) {
            return None;
        }
        // How often each distinct window is seen in the sample, by its place in `distinct`.
        let mut distinct: Vec<u32> = windows.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let mut counts = vec![0u32; distinct.len()];
        let place = Places::new(&distinct);
        for window in sample[..sample.len().min(SAMPLE)].windows(4) {
            if let Some(i) = place.of(fold(window)) {
                counts[i] += 1;
            }
        }
        let count = |w: &u32| place.of(*w).map_or(0, |i| counts[i]);
        let rarity = |ws: &[u32]| {
            let seen: u32 = ws.iter().map(count).sum();
            (seen, ws.iter().map(|&w| cost(w)).sum::<f64>())
        };
        let mut fingerprints = Vec::new();
        for (literal, ws) in literals.iter().zip(&windows) {
            if let [only] = ws.as_slice() {
                // Four bytes: at an odd distance from where the search starts, the literal
                // is seen one byte late, as any byte followed by its first three.
                let l = literal.as_bytes();
                fingerprints.push(*only);
                fingerprints.extend((0..=255u8).map(|x| fold(&[x, l[0], l[1], l[2]])));
            } else if let Some(pair) = ws
                .windows(2)
                .min_by(|a, b| rarity(a).partial_cmp(&rarity(b)).unwrap_or(Ordering::Equal))
            {
                fingerprints.extend_from_slice(pair);
            }
        }
        fingerprints.sort_unstable();
        fingerprints.dedup();
        let mut table = Table::default();
        fingerprints.iter().for_each(|&w| table.set(w));
        Some(Prefilter {
            bits: table.0,
            fingerprints,
        })
    }

    /// The first position at or after `from` where a fingerprint starts, if any.
    pub(crate) fn find(&self, bytes: &[u8], from: usize) -> Option<usize> {
        let last = bytes.len().checked_sub(4)?;
        let bits: &[u64; 1 << 10] = self.bits.as_slice().try_into().ok()?;
        let mut i = from;
        // Every other position is enough: each literal gave two neighbouring windows, one of
        // which starts at an even distance from `from`. Three windows per 8-byte load, tested
        // without a branch; the exact check runs only where the table says maybe. (No
        // closures here: the web build, optimised for size, would not inline them.)
        while i + 8 <= bytes.len() {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[i..i + 8]);
            let q = u64::from_le_bytes(word) | FOLD64;
            let windows = [q as u32, (q >> 16) as u32, (q >> 32) as u32];
            if maybe(bits, windows[0]) | maybe(bits, windows[1]) | maybe(bits, windows[2]) {
                for (k, &w) in windows.iter().enumerate() {
                    if maybe(bits, w) && self.fingerprints.binary_search(&w).is_ok() {
                        return Some(i + 2 * k);
                    }
                }
            }
            i += 6;
        }
        while i <= last {
            let w = fold(&bytes[i..i + 4]);
            if maybe(bits, w) && self.fingerprints.binary_search(&w).is_ok() {
                return Some(i);
            }
            i += 1;
        }
        None
    }
}

/// Whether the table's bit for window `w` is set. Always inlined: the web build is optimised
/// for size, and as a call this one test took a fifth of the worker's time.
#[inline(always)]
fn maybe(bits: &[u64; 1 << 10], w: u32) -> bool {
    let h = slot(w);
    bits[h >> 6] >> (h & 63) & 1 != 0
}

/// Where each of a sorted list of windows is in the list, found through its hash slot: one
/// look and one comparison for most windows of the text, which are in no slot, or alone in
/// theirs (a binary search of the list only where two windows share a slot).
struct Places<'a> {
    sorted: &'a [u32],
    /// Each slot's window's place in `sorted`, or [`Places::EMPTY`] or [`Places::SHARED`].
    slots: Vec<u16>,
}

impl<'a> Places<'a> {
    const EMPTY: u16 = u16::MAX;
    const SHARED: u16 = u16::MAX - 1;

    fn new(sorted: &'a [u32]) -> Places<'a> {
        let mut slots = vec![Self::EMPTY; 1 << 16];
        for (i, &w) in sorted.iter().enumerate() {
            let s = &mut slots[slot(w)];
            // Too many windows to number in a slot: every look searches the list.
            *s = match u16::try_from(i) {
                Ok(i) if *s == Self::EMPTY && i < Self::SHARED => i,
                _ => Self::SHARED,
            };
        }
        Places { sorted, slots }
    }

    /// The place of `w` in the list, if it is there.
    fn of(&self, w: u32) -> Option<usize> {
        match self.slots[slot(w)] {
            Self::EMPTY => None,
            Self::SHARED => self.sorted.binary_search(&w).ok(),
            i => (self.sorted[usize::from(i)] == w).then_some(usize::from(i)),
        }
    }
}

#[inline(always)]
fn slot(folded: u32) -> usize {
    (folded.wrapping_mul(MIX) >> 16) as usize
}

/// Four bytes, folded.
fn fold(w: &[u8]) -> u32 {
    u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | FOLD
}

/// How likely a folded window is in log text in general, from its bytes' frequencies.
fn cost(window: u32) -> f64 {
    window
        .to_le_bytes()
        .iter()
        .map(|&b| COMMON.iter().find(|c| c.0 == b).map_or(3, |c| c.1) as f64 / 1000.0)
        .product()
}

/// A 64 Kbit set of folded windows (with false positives).
struct Table(Vec<u64>);

impl Default for Table {
    fn default() -> Self {
        Table(vec![0; 1 << 10])
    }
}

impl Table {
    fn set(&mut self, w: u32) {
        let h = slot(w);
        self.0[h >> 6] |= 1 << (h & 63);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(l: &[&str]) -> Vec<String> {
        l.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_every_occurrence_in_any_case() {
        let p = Prefilter::new(
            &lits(&["Access is denied", "OCSP", "UnknownHostException"]),
            b"",
        )
        .unwrap();
        for text in [
            "x ACCESS IS DENIED",
            "ocsp",
            "java.net.unknownhostexception: x",
            "a\nb OcSp",
        ] {
            let at = p.find(text.as_bytes(), 0).expect(text);
            assert!(at + 4 <= text.len());
        }
        assert_eq!(p.find(b"nothing to see here", 0), None);
        assert_eq!(p.find(b"ocs", 0), None);
    }

    #[test]
    fn fingerprints_are_rare_in_the_sample() {
        let sample = b"Worker-Standard:MIDWorker-1 Polling for work\n".repeat(100);
        let p = Prefilter::new(&lits(&["Network is unreachable"]), &sample).unwrap();
        assert_eq!(p.find(&sample, 0), None);
        assert!(p.find(b"x: network is UNREACHABLE", 0).is_some());
    }

    #[test]
    fn windows_are_placed_through_their_slot_even_when_two_share_one() {
        // Two windows in one slot, a third alone, and windows of no slot or of a taken one.
        let first = 0x6161_6161u32;
        let twin = (first + 1..).find(|&w| slot(w) == slot(first)).unwrap();
        let alone = (0..).find(|&w| slot(w) != slot(first)).unwrap();
        let mut sorted = vec![first, twin, alone];
        sorted.sort_unstable();
        let places = Places::new(&sorted);
        for (i, &w) in sorted.iter().enumerate() {
            assert_eq!(places.of(w), Some(i), "{w:#x}");
        }
        let stranger = (twin + 1..).find(|&w| slot(w) == slot(first)).unwrap();
        assert_eq!(places.of(stranger), None, "shares the two windows' slot");
        let beside = (alone + 1..).find(|&w| slot(w) == slot(alone)).unwrap();
        assert_eq!(places.of(beside), None, "shares the lone window's slot");
        let nowhere = (0..)
            .find(|&w| sorted.iter().all(|&s| slot(s) != slot(w)))
            .unwrap();
        assert_eq!(places.of(nowhere), None);
    }

    #[test]
    fn short_literals_disable_it() {
        assert!(Prefilter::new(&lits(&["abc", "long enough"]), b"").is_none());
    }
}
