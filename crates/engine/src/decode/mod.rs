//! Bytes to text: BOMs, UTF-16, lossy UTF-8 with a Windows-1252 fallback, and binary refusal.
//!
//! Decoding never changes the line structure, so line numbers always refer to the original file.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind};

/// How a file's bytes were turned into text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Valid UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark (Notepad writes these).
    Utf8Bom,
    /// UTF-16 little-endian (with a BOM, or recognised from its zero bytes).
    Utf16Le,
    /// UTF-16 big-endian (with a BOM, or recognised from its zero bytes).
    Utf16Be,
    /// Mostly UTF-8; the invalid bytes were read as Windows-1252.
    Utf8WithWindows1252,
}

impl Encoding {
    /// A short human name, e.g. `UTF-16 LE`.
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Utf8WithWindows1252 => "UTF-8 with Windows-1252 bytes",
        }
    }
}

/// A decoded file: its text and how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// The text; borrowed from the input when it was valid UTF-8.
    pub text: Cow<'a, str>,
    /// The encoding that was recognised.
    pub encoding: Encoding,
}

/// Magic numbers of file types that are never logs, with a name for the message.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"\x7fELF", "a Linux executable (ELF)"),
    (
        b"PK\x03\x04",
        "a ZIP archive inside an archive; extract it and choose the log files inside",
    ),
    (
        b"\x1f\x8b",
        "a gzip archive inside an archive; decompress it and choose the log file inside",
    ),
    (
        b"7z\xbc\xaf\x27\x1c",
        "a 7-Zip archive; extract it and choose the log files inside",
    ),
    (
        b"Rar!\x1a\x07",
        "a RAR archive; extract it and choose the log files inside",
    ),
    (b"\xca\xfe\xba\xbe", "a Java class file"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document"),
];

/// How many leading bytes are inspected for NUL bytes and UTF-16 patterns.
pub(crate) const SNIFF: usize = 8192;

mod stream;

pub use stream::StreamDecoder;

/// What the first bytes of a file decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    /// The encoding (UTF-8 may still turn out to need the Windows-1252 fallback).
    pub encoding: Encoding,
    /// Bytes of byte-order mark to skip.
    pub skip: usize,
}

/// Decides the encoding from a file's first bytes (at least [`SNIFF`] of them, or all of a
/// shorter file), or refuses the file as empty or binary.
pub(crate) fn sniff(name: &str, first: &[u8]) -> Result<Sniffed, Error> {
    let found = |encoding, skip| Ok(Sniffed { encoding, skip });
    if first.is_empty() {
        return Err(Error::new(ErrorKind::Empty, "the file is empty").in_file(name));
    }
    if first.starts_with(b"\xef\xbb\xbf") {
        return found(Encoding::Utf8Bom, 3);
    }
    if first.starts_with(b"\xff\xfe") {
        return found(Encoding::Utf16Le, 2);
    }
    if first.starts_with(b"\xfe\xff") {
        return found(Encoding::Utf16Be, 2);
    }
    if let Some((_, what)) = MAGIC.iter().find(|(magic, _)| first.starts_with(magic)) {
        return Err(binary(name, what));
    }
    if first.starts_with(b"MZ") && first[..first.len().min(256)].contains(&0) {
        return Err(binary(name, "a Windows executable or DLL"));
    }
    let sample = &first[..first.len().min(SNIFF)];
    if let Some(encoding) = utf16_without_bom(sample) {
        return found(encoding, 0);
    }
    // A crash can leave a run of NUL bytes at the end of a log: only NULs before that run count.
    let content_end = sample.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    if content_end == 0 {
        return Err(binary(name, "only NUL bytes"));
    }
    if sample[..content_end].contains(&0) {
        return Err(binary(
            name,
            "NUL bytes, so it is a binary file and not a text log",
        ));
    }
    found(Encoding::Utf8, 0)
}

/// Decodes `bytes` read from the file `name`.
///
/// Refuses empty and binary input with an [`Error`] that names the file; everything else decodes.
/// The whole-file reference the streaming decoder is checked against (tests and fuzzing).
#[cfg(any(test, feature = "fuzzing"))]
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<Decoded<'a>, Error> {
    let Sniffed { encoding, skip } = sniff(name, &bytes[..bytes.len().min(SNIFF)])?;
    let rest = &bytes[skip..];
    Ok(match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => utf16(rest, encoding),
        other => utf8(rest, other),
    })
}

fn binary(name: &str, what: &str) -> Error {
    Error::new(
        ErrorKind::Binary,
        format!("not a text log: the file holds {what}"),
    )
    .in_file(name)
}

/// UTF-16 without a BOM shows as a zero byte in every other position of ASCII text.
fn utf16_without_bom(sample: &[u8]) -> Option<Encoding> {
    let pairs = sample.len() / 2;
    if pairs < 4 {
        return None;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(zero_odd) && rarely(zero_even) {
        Some(Encoding::Utf16Le)
    } else if mostly(zero_even) && rarely(zero_odd) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn utf16(bytes: &[u8], encoding: Encoding) -> Decoded<'static> {
    let units = bytes.chunks_exact(2).map(|p| match encoding {
        Encoding::Utf16Be => u16::from_be_bytes([p[0], p[1]]),
        _ => u16::from_le_bytes([p[0], p[1]]),
    });
    let text: String = char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect();
    Decoded {
        text: Cow::Owned(text),
        encoding,
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn utf8(bytes: &[u8], encoding: Encoding) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            encoding,
        },
        Err(_) => Decoded {
            text: Cow::Owned(utf8_with_windows_1252(bytes)),
            encoding: Encoding::Utf8WithWindows1252,
        },
    }
}

#[cfg(any(test, feature = "fuzzing"))]
/// Decodes the valid UTF-8 runs as UTF-8 and every invalid byte as Windows-1252.
fn utf8_with_windows_1252(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                out.push_str(text);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                // SAFETY-free: `valid` was just checked by from_utf8.
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1);
                for &b in &rest[..bad] {
                    out.push(windows_1252(b));
                }
                bytes = &rest[bad..];
            }
        }
    }
}

/// The Windows-1252 character for one byte.
pub(crate) fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> (String, Encoding) {
        let d = decode("t.log", bytes).expect("decodes");
        (d.text.into_owned(), d.encoding)
    }

    #[test]
    fn plain_utf8_is_borrowed() {
        let d = decode("t.log", b"a\nb").unwrap();
        assert!(matches!(d.text, Cow::Borrowed("a\nb")));
        assert_eq!(d.encoding, Encoding::Utf8);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(
            text(b"\xef\xbb\xbfhello"),
            ("hello".into(), Encoding::Utf8Bom)
        );
    }

    #[test]
    fn utf16_both_byte_orders_with_bom() {
        let le: Vec<u8> = [0xff, 0xfe]
            .into_iter()
            .chain("Zürich\r\nok".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(text(&le), ("Zürich\r\nok".into(), Encoding::Utf16Le));
        let be: Vec<u8> = [0xfe, 0xff]
            .into_iter()
            .chain("Zürich\nok".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(text(&be), ("Zürich\nok".into(), Encoding::Utf16Be));
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let le: Vec<u8> = "2019/12/15 00:33:17 | Machine is shutting down.\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let (t, e) = text(&le);
        assert_eq!(e, Encoding::Utf16Le);
        assert!(t.starts_with("2019/12/15"));
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        let (t, e) = text(b"caf\xe9 \x93quoted\x94 ok \xe2\x82\xac");
        assert_eq!(t, "café “quoted” ok €");
        assert_eq!(e, Encoding::Utf8WithWindows1252);
    }

    #[test]
    fn truncated_utf8_at_the_end_is_not_lost() {
        let (t, _) = text(b"abc\xe2\x82");
        assert_eq!(t, "abcâ\u{201a}");
    }

    #[test]
    fn binary_files_are_refused_with_the_file_name() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let err = decode("photo.log", png).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Binary);
        assert!(err.to_string().starts_with("photo.log: "), "{err}");
        assert!(err.to_string().contains("PNG"));
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
        assert!(decode("x.log", exe)
            .unwrap_err()
            .reason
            .contains("Windows executable"));
        let nul = b"abc\x00def\x01\x02\x03 more text here";
        assert_eq!(decode("x.log", nul).unwrap_err().kind, ErrorKind::Binary);
    }

    #[test]
    fn trailing_nul_run_after_a_crash_is_tolerated() {
        let mut bytes = b"12/15/19 00:33:18 (649) MIDServer MID Server stopping\n".to_vec();
        bytes.extend([0u8; 100]);
        assert!(decode("agent0.log.0", &bytes).is_ok());
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(decode("e.log", b"").unwrap_err().kind, ErrorKind::Empty);
    }
}
