//! Decoding a file chunk by chunk: the same decisions as [`super::decode`] (the first 8 KiB
//! decide the encoding and whether the file is binary), with incomplete UTF-8 sequences, odd
//! UTF-16 bytes and split surrogate pairs carried from one chunk to the next.

use super::{sniff, windows_1252, Encoding, Sniffed, SNIFF};
use crate::error::Error;

#[derive(Debug)]
enum State {
    Sniffing(Vec<u8>),
    Utf8,
    Utf16 { big_endian: bool },
    Refused,
}

/// An incremental decoder for one file.
#[derive(Debug)]
pub struct StreamDecoder {
    name: String,
    state: State,
    encoding: Option<Encoding>,
    carry: Vec<u8>,
}

impl StreamDecoder {
    /// A decoder for the file `name`.
    pub fn new(name: &str) -> StreamDecoder {
        StreamDecoder {
            name: name.to_string(),
            state: State::Sniffing(Vec::new()),
            encoding: None,
            carry: Vec::new(),
        }
    }

    /// The encoding, once the first bytes have decided it.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }

    /// Decodes `bytes`, appending the text to `out`. Fails once, when the file is refused.
    pub fn push(&mut self, bytes: &[u8], out: &mut String) -> Result<(), Error> {
        match &mut self.state {
            State::Refused => Ok(()),
            State::Sniffing(buf) => {
                buf.extend_from_slice(bytes);
                if buf.len() >= SNIFF {
                    let buf = std::mem::take(buf);
                    self.decide(&buf, out)?;
                }
                Ok(())
            }
            _ => {
                self.decode(bytes, out, false);
                Ok(())
            }
        }
    }

    /// Ends the file: decodes what was held back. Fails when the file is empty or refused.
    pub fn finish(&mut self, out: &mut String) -> Result<(), Error> {
        if let State::Sniffing(buf) = &mut self.state {
            let buf = std::mem::take(buf);
            self.decide(&buf, out)?;
        }
        if !matches!(self.state, State::Refused) {
            self.decode(&[], out, true);
        }
        Ok(())
    }

    fn decide(&mut self, first: &[u8], out: &mut String) -> Result<(), Error> {
        match sniff(&self.name, first) {
            Err(e) => {
                self.state = State::Refused;
                Err(e)
            }
            Ok(Sniffed { encoding, skip }) => {
                self.encoding = Some(encoding);
                self.state = match encoding {
                    Encoding::Utf16Le => State::Utf16 { big_endian: false },
                    Encoding::Utf16Be => State::Utf16 { big_endian: true },
                    _ => State::Utf8,
                };
                self.decode(&first[skip..], out, false);
                Ok(())
            }
        }
    }

    fn decode(&mut self, mut bytes: &[u8], out: &mut String, last: bool) {
        // Bytes carried from the last chunk (at most 3: part of a UTF-8 sequence, an odd byte,
        // a high surrogate) are completed a byte at a time, so that the chunk itself is decoded
        // where it lies, never copied.
        while !self.carry.is_empty() && !bytes.is_empty() {
            let mut piece = std::mem::take(&mut self.carry);
            piece.push(bytes[0]);
            bytes = &bytes[1..];
            self.decode_in_place(&piece, out, false);
        }
        if self.carry.is_empty() {
            self.decode_in_place(bytes, out, last);
        } else if last {
            // The file ends inside a sequence.
            let piece = std::mem::take(&mut self.carry);
            self.decode_in_place(&piece, out, true);
        }
    }

    fn decode_in_place(&mut self, data: &[u8], out: &mut String, last: bool) {
        match self.state {
            State::Utf16 { big_endian } => self.utf16(data, big_endian, last, out),
            State::Utf8 => self.utf8(data, last, out),
            _ => {}
        }
    }

    fn utf8(&mut self, mut data: &[u8], last: bool, out: &mut String) {
        loop {
            match std::str::from_utf8(data) {
                Ok(text) => {
                    out.push_str(text);
                    return;
                }
                Err(e) => {
                    let (valid, rest) = data.split_at(e.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        // An incomplete sequence at the end: wait for the next chunk.
                        None if !last => {
                            self.carry = rest.to_vec();
                            return;
                        }
                        n => {
                            let bad = n.unwrap_or(rest.len()).max(1);
                            out.extend(rest[..bad].iter().map(|&b| windows_1252(b)));
                            self.encoding = Some(Encoding::Utf8WithWindows1252);
                            data = &rest[bad..];
                        }
                    }
                }
            }
        }
    }

    fn utf16(&mut self, data: &[u8], big_endian: bool, last: bool, out: &mut String) {
        let mut usable = data.len() - data.len() % 2;
        let unit = |p: &[u8]| {
            if big_endian {
                u16::from_be_bytes([p[0], p[1]])
            } else {
                u16::from_le_bytes([p[0], p[1]])
            }
        };
        // A high surrogate at the end waits for its pair.
        if !last && usable >= 2 && (0xD800..0xDC00).contains(&unit(&data[usable - 2..usable])) {
            usable -= 2;
        }
        // Runs of ASCII units are narrowed to bytes and appended whole; the rest goes through
        // the UTF-16 decoder (a lone surrogate becomes U+FFFD, as it would in one pass).
        let body = &data[..usable];
        let (lo, hi) = if big_endian { (1, 0) } else { (0, 1) };
        let is_ascii = |p: &[u8]| p[hi] == 0 && p[lo] < 0x80;
        out.reserve(usable / 2);
        let mut narrow = Vec::with_capacity(usable / 2);
        let mut at = 0;
        while at < body.len() {
            narrow.clear();
            let run = at + narrow_ascii(&body[at..], big_endian, &mut narrow);
            out.push_str(std::str::from_utf8(&narrow).unwrap_or_default());
            at = body[run..]
                .chunks_exact(2)
                .position(is_ascii)
                .map_or(body.len(), |k| run + 2 * k);
            let units = body[run..at].chunks_exact(2).map(unit);
            out.extend(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)));
        }
        if !last {
            self.carry = data[usable..].to_vec();
        }
    }
}

/// Narrows the run of ASCII units at the start of `body` (UTF-16 in either byte order) onto
/// `narrow` and returns its length in bytes. Four units are checked at once: a unit is ASCII
/// when its high byte is zero and its low byte below 0x80, one mask over an 8-byte load.
fn narrow_ascii(body: &[u8], big_endian: bool, narrow: &mut Vec<u8>) -> usize {
    // Bytes as loaded little-endian: the low byte of a unit is byte 0 of its pair in UTF-16LE,
    // byte 1 in UTF-16BE.
    let (mask, shift) = if big_endian {
        (0x80FF_80FF_80FF_80FF_u64, 8)
    } else {
        (0xFF80_FF80_FF80_FF80_u64, 0)
    };
    let mut at = 0;
    for word in body.chunks_exact(8) {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        if w & mask != 0 {
            break;
        }
        let w = w >> shift;
        narrow.extend_from_slice(&[w as u8, (w >> 16) as u8, (w >> 32) as u8, (w >> 48) as u8]);
        at += 8;
    }
    let lo = usize::from(big_endian);
    // The loads stopped less than four units before the run's end.
    for pair in body[at..].chunks_exact(2).take(3) {
        if pair[1 - lo] != 0 || pair[lo] >= 0x80 {
            break;
        }
        narrow.push(pair[lo]);
        at += 2;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::super::decode;
    use super::*;

    /// Decodes `bytes` in chunks of `size` and compares with the one-shot decoder.
    fn same_as_whole(bytes: &[u8], size: usize) {
        let whole = decode("f", bytes);
        let mut d = StreamDecoder::new("f");
        let mut out = String::new();
        let mut result = Ok(());
        for chunk in bytes.chunks(size.max(1)) {
            result = result.and(d.push(chunk, &mut out));
        }
        result = result.and(d.finish(&mut out));
        match whole {
            Ok(w) => {
                assert!(result.is_ok(), "{result:?}");
                assert_eq!(out, w.text, "chunk size {size}");
                assert_eq!(d.encoding(), Some(w.encoding), "chunk size {size}");
            }
            Err(e) => assert_eq!(result.unwrap_err().kind, e.kind),
        }
    }

    #[test]
    fn chunked_decoding_equals_whole_decoding() {
        let text = "Zürich 😀 line\r\nnext € line\rlast";
        let utf16le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let utf16be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bom: Vec<u8> = b"\xef\xbb\xbf"
            .iter()
            .copied()
            .chain(text.bytes())
            .collect();
        let mut cp1252 = text.as_bytes().to_vec();
        cp1252.extend_from_slice(b" caf\xe9 \x93q\x94 \xe2\x82");
        let no_bom: Vec<u8> = "2019/12/15 00:33:17 | Machine is shutting down.\r\n"
            .repeat(3)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let big: Vec<u8> = text.repeat(2000).into_bytes();
        // Past the sniff window, so that chunks are decoded as they come, and sequences (UTF-8,
        // surrogate pairs, stray bytes) are cut at every place.
        let long_utf16le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain(text.repeat(600).encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let long_utf16be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain(text.repeat(600).encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let long_cp1252 = cp1252.repeat(400);
        for bytes in [
            long_utf16le,
            long_utf16be,
            long_cp1252,
            text.as_bytes().to_vec(),
            utf16le,
            utf16be,
            bom,
            cp1252,
            no_bom,
            big,
            b"\x89PNG\r\n\x1a\n\0".to_vec(),
            Vec::new(),
        ] {
            for size in [1, 2, 3, 5, 7, 64, 8191, 8192, 100_000] {
                same_as_whole(&bytes, size);
            }
        }
    }

    /// `units` as UTF-16 bytes in either byte order, after their byte-order mark.
    fn utf16_with_bom(units: &[u16], big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for u in units {
            bytes.extend(if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        bytes
    }

    /// `bytes` decoded in chunks of `size`.
    fn in_chunks(bytes: &[u8], size: usize) -> String {
        let mut d = StreamDecoder::new("f");
        let mut out = String::new();
        for chunk in bytes.chunks(size) {
            d.push(chunk, &mut out).unwrap();
        }
        d.finish(&mut out).unwrap();
        out
    }

    /// UTF-16 with ASCII and other runs side by side, surrogate pairs and lone surrogates
    /// decodes, in chunks of any size, as the standard library's lossy decoder says.
    #[test]
    fn utf16_runs_and_lone_surrogates_decode_as_std_does() {
        let mut units: Vec<u16> = "ab\u{e9}c".encode_utf16().collect();
        units.extend([
            0xD83D,
            0xDE00,
            b'x'.into(),
            0xD800,
            b'y'.into(),
            0xDC00,
            0x20AC,
        ]);
        units.extend("tail line\r\n".encode_utf16());
        units.extend([0xDBFF]);
        let want = String::from_utf16_lossy(&units);
        for big_endian in [false, true] {
            let bytes = utf16_with_bom(&units, big_endian);
            for size in [1, 2, 3, 4, 5, 9, 1000] {
                let out = in_chunks(&bytes, size);
                assert_eq!(out, want, "big endian {big_endian}, chunks of {size}");
            }
        }
    }

    /// Runs of ASCII long enough to be narrowed four units at a time, with one unit that is
    /// not ASCII (a byte at or over 0x80 in either half, a surrogate pair) at every position:
    /// the same text as the standard library's decoder, in either byte order.
    #[test]
    fn a_unit_that_is_not_ascii_is_seen_at_any_place_in_a_run() {
        let odd: [&[u16]; 6] = [
            &[0x80],
            &[0xFF],
            &[0x100],
            &[0x4100],
            &[0x20AC],
            &[0xD83D, 0xDE00],
        ];
        for unit in odd {
            for at in 0..19 {
                let mut units: Vec<u16> = "MID Server upgrade!".encode_utf16().collect();
                units.splice(at..at, unit.iter().copied());
                let want = String::from_utf16_lossy(&units);
                for big_endian in [false, true] {
                    let bytes = utf16_with_bom(&units, big_endian);
                    // The run before the odd unit is narrowed whole, and nothing after it.
                    let mut narrow = Vec::new();
                    assert_eq!(narrow_ascii(&bytes[2..], big_endian, &mut narrow), 2 * at);
                    assert_eq!(narrow, &"MID Server upgrade!".as_bytes()[..at]);
                    for size in [1, 7, 1000] {
                        let out = in_chunks(&bytes, size);
                        assert_eq!(out, want, "{unit:x?} at {at}, big endian {big_endian}");
                    }
                }
            }
        }
    }
}
