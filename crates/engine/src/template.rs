//! Message templates, in the manner of the Drain log parser: the parts of a message that
//! change from one occurrence to the next (numbers, ids, addresses, host names, paths,
//! versions, times, quoted values) are masked, so a message repeated ten thousand times with
//! other values is one template. The errors no rule explains are counted by template.

/// The longest template kept, in bytes; a longer one is cut at a character boundary and ends
/// with "…".
pub const MAX_TEMPLATE: usize = 240;

/// Top-level domains that mark a dotted word as a host name (Java packages start with some of
/// them, so a word that does is a host only when it also ends with one).
const TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "mil",
    "int",
    "io",
    "local",
    "lan",
    "corp",
    "internal",
    "intranet",
    "co",
    "uk",
    "de",
    "fr",
    "nl",
    "au",
    "ca",
    "jp",
    "in",
    "us",
    "eu",
    "ch",
    "se",
    "biz",
    "info",
    "cloud",
    "localdomain",
];

/// The template of `message`: whitespace runs become one space, quoted values and variable
/// words are masked (`<num>`, `<hex>`, `<id>`, `<guid>`, `<ip>`, `<host>`, `<url>`, `<path>`,
/// `<version>`, `<time>`, `<email>`, `'<*>'`), and the result is cut to [`MAX_TEMPLATE`].
/// Masking a template again gives the same template.
pub fn template(message: &str) -> String {
    let unquoted = mask_quotes(message);
    let mut out = String::with_capacity(unquoted.len().min(MAX_TEMPLATE + 4));
    for word in unquoted.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        mask_word(word, &mut out);
        if out.len() > MAX_TEMPLATE {
            break;
        }
    }
    if out.len() > MAX_TEMPLATE {
        out.truncate(crate::lines::head(&out, MAX_TEMPLATE).len());
        out.push('…');
    }
    out
}

/// Replaces quoted values (`'…'` or `"…"`, on one line, opened after a space, `=`, `(`, `[`,
/// `:`, `,` or the start, closed before a space, `,;:.)]}` or the end) with `'<*>'` or `"<*>"`.
/// An apostrophe inside a word (`can't`, `Server's`) opens nothing.
fn mask_quotes(message: &str) -> std::borrow::Cow<'_, str> {
    let b = message.as_bytes();
    if !b.iter().any(|&c| c == b'\'' || c == b'"') {
        return message.into();
    }
    let mut out = String::with_capacity(message.len());
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        let q = b[i];
        let opens = (q == b'\'' || q == b'"')
            && (i == 0 || matches!(b[i - 1], b' ' | b'\t' | b'=' | b'(' | b'[' | b':' | b','));
        if opens {
            // The next quote of the same kind closes it, or nothing does (so each stretch of
            // text is looked at once per kind of quote).
            let close = b[i + 1..]
                .iter()
                .position(|&c| c == q || c == b'\n')
                .map(|k| i + 1 + k)
                .filter(|&j| b[j] == q)
                .filter(|&j| {
                    b.get(j + 1).is_none_or(|c| {
                        c.is_ascii_whitespace()
                            || matches!(c, b',' | b';' | b':' | b'.' | b')' | b']' | b'}')
                    })
                });
            if let Some(j) = close {
                if j > i + 1 && &message[i + 1..j] != "<*>" {
                    out.push_str(&message[copied..i]);
                    out.push(q as char);
                    out.push_str("<*>");
                    out.push(q as char);
                    copied = j + 1;
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&message[copied..]);
    out.into()
}

/// Appends `word`, masked, to `out`: punctuation around it is kept, and what is between is
/// masked whole when it is one kind of variable value, or digit run by digit run otherwise.
fn mask_word(word: &str, out: &mut String) {
    let lead = |c: char| matches!(c, '(' | '[' | '{' | '<' | '"' | '\'');
    let trail = |c: char| {
        matches!(
            c,
            ')' | ']' | '}' | '>' | '"' | '\'' | ',' | ';' | ':' | '.'
        )
    };
    let core = word.trim_start_matches(lead);
    let start = word.len() - core.len();
    let core = core.trim_end_matches(trail);
    let end = start + core.len();
    out.push_str(&word[..start]);
    match kind(core) {
        Some(mask) => out.push_str(mask),
        // `host/address` (as Java prints an InetAddress), `key=value`: each piece between
        // these on its own; within a piece, `MIDWorker-4b4595fe…` or `ecc_queue.42.xml`,
        // each part.
        None => split_masked(
            core,
            &['/', '=', ',', ';', '|'],
            out,
            &|piece, out| match kind(piece) {
                Some(mask) => out.push_str(mask),
                None => split_masked(
                    piece,
                    &['-', '_', '.', ':', '#'],
                    out,
                    &|part, out| match kind(part) {
                        Some(mask) => out.push_str(mask),
                        None if is_id(part) => out.push_str("<id>"),
                        None => mask_digits(part, out),
                    },
                ),
            },
        ),
    }
    out.push_str(&word[end..]);
}

/// Appends `text` with each part between the separators `seps` masked by `mask`.
fn split_masked(text: &str, seps: &[char], out: &mut String, mask: &dyn Fn(&str, &mut String)) {
    let mut from = 0;
    for (at, sep) in text.match_indices(seps) {
        mask(&text[from..at], out);
        out.push_str(sep);
        from = at + sep.len();
    }
    mask(&text[from..], out);
}

/// What a word is, when it is one kind of variable value as a whole.
fn kind(w: &str) -> Option<&'static str> {
    if w.is_empty() || w.starts_with('<') && w.ends_with('>') {
        return None;
    }
    let b = w.as_bytes();
    if w.contains("://") {
        return Some("<url>");
    }
    if is_guid(b) {
        return Some("<guid>");
    }
    if is_path(w) {
        return Some("<path>");
    }
    if w.contains("__patch") || is_build_stamp(b) {
        return Some("<version>");
    }
    // Key=value pairs keep their key: the value is masked on its own.
    if w.contains('=') {
        return None;
    }
    let (host, port) = match w.rsplit_once(':') {
        Some((h, p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => (h, true),
        _ => (w, false),
    };
    if is_ipv4(host.as_bytes()) {
        return Some("<ip>");
    }
    if w.contains('@') && w.contains('.') {
        return Some("<email>");
    }
    if is_host(host) {
        return Some("<host>");
    }
    if port {
        // `10:42`, `10:42:07`: a time of day.
        if w.split(':')
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
        {
            return Some("<time>");
        }
    }
    if is_time(b) {
        return Some("<time>");
    }
    if is_hex_id(b) {
        return Some("<hex>");
    }
    if is_version(b) {
        return Some("<version>");
    }
    None
}

/// Appends `w` with each run of digits (and any decimal part) replaced by `<num>`.
fn mask_digits(w: &str, out: &mut String) {
    let b = w.as_bytes();
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            out.push_str(&w[copied..i]);
            out.push_str("<num>");
            copied = j;
            i = j;
        } else {
            i += 1;
        }
    }
    out.push_str(&w[copied..]);
}

fn is_guid(b: &[u8]) -> bool {
    // 8-4-4-4-12 hex digits, optionally in braces (trimmed before).
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Letters and digits, eight or more, at least one a digit: an id of some kind.
fn is_id(w: &str) -> bool {
    w.len() >= 8
        && w.bytes().all(|c| c.is_ascii_alphanumeric())
        && w.bytes().any(|c| c.is_ascii_digit())
}

fn is_hex_id(b: &[u8]) -> bool {
    if let Some(rest) = b.strip_prefix(b"0x").or_else(|| b.strip_prefix(b"0X")) {
        return !rest.is_empty() && rest.iter().all(u8::is_ascii_hexdigit);
    }
    // A sys_id is 32 hex digits; any run of 8 or more with a digit in it is an id.
    b.len() >= 8 && b.iter().all(u8::is_ascii_hexdigit) && b.iter().any(u8::is_ascii_digit)
}

fn is_ipv4(b: &[u8]) -> bool {
    let b = match b.iter().position(|&c| c == b'/') {
        Some(slash) if b[slash + 1..].iter().all(u8::is_ascii_digit) => &b[..slash],
        _ => b,
    };
    let parts: Vec<&[u8]> = b.split(|&c| c == b'.').collect();
    parts.len() == 4
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.iter().all(u8::is_ascii_digit))
}

/// Lower-case dotted labels ending with a known top-level domain, and not a Java package
/// (`com.glide.util` starts with one).
fn is_host(w: &str) -> bool {
    let labels: Vec<&str> = w.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return false;
    }
    let label_ok = |l: &str| {
        l.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    };
    let last = labels[labels.len() - 1];
    labels.iter().all(|l| label_ok(l))
        && TLDS.contains(&last)
        && !(labels.len() > 2 && TLDS.contains(&labels[0]))
}

fn is_path(w: &str) -> bool {
    let b = w.as_bytes();
    let drive =
        b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && matches!(b[2], b'\\' | b'/');
    drive
        || w.starts_with("\\\\")
        || (w.starts_with('/') && w[1..].contains('/'))
        || (w.contains('\\') && w.len() > 2)
}

/// `2022-11-17`, `2022-11-17T02:49:13.201-0800`, `11/17/22`, `02:49:13.201`.
fn is_time(b: &[u8]) -> bool {
    let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
    let shape = b.iter().all(|&c| {
        c.is_ascii_digit() || matches!(c, b'-' | b'/' | b':' | b'.' | b'T' | b'Z' | b'+' | b',')
    });
    shape
        && digits >= 4
        && (b.contains(&b':') || b.iter().filter(|&&c| c == b'/' || c == b'-').count() >= 2)
}

/// `1.8.0_231`, `3.2.1`, `v2.0.1-SNAPSHOT`: at least two dots between digits.
fn is_version(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"v").unwrap_or(b);
    b.first().is_some_and(u8::is_ascii_digit)
        && b.windows(3)
            .filter(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
            .count()
            >= 2
}

/// A MID build stamp without its patch part: `tokyo-07-08-2022`, `sandiego-12-22-2021_1829`.
fn is_build_stamp(b: &[u8]) -> bool {
    let Some(dash) = b.iter().position(|&c| c == b'-') else {
        return false;
    };
    let (name, date) = (&b[..dash], &b[dash + 1..]);
    !name.is_empty()
        && name.iter().all(u8::is_ascii_alphabetic)
        && date.len() >= 10
        && date[..10].iter().enumerate().all(|(i, &c)| {
            if i == 2 || i == 5 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_parts_are_masked() {
        let cases = [
            // KB0726937 (the user name is quoted).
            (
                "Could not authenticate user 'mid.user' on instance https://acme.service-now.com/",
                "Could not authenticate user '<*>' on instance <url>",
            ),
            (
                "ECCSender.1 Sending ecc_queue.1234567.xml",
                "ECCSender.<num> Sending ecc_queue.<num>.xml",
            ),
            (
                "Unable to delete C:\\ServiceNow\\agent\\lib\\mid.jar after 12 attempts",
                "Unable to delete <path> after <num> attempts",
            ),
            (
                "Connect to acme.service-now.com:443 [acme.service-now.com/149.96.5.12] failed: Read timed out",
                "Connect to <host> [<host>/<ip>] failed: Read timed out",
            ),
            (
                "record 0a1b2c3d4e5f60718293a4b5c6d7e8f9 in 17ms",
                "record <hex> in <num>ms",
            ),
            (
                "id {3F2504E0-4F89-11D3-9A0C-0305E82C3301} at 10.0.0.12",
                "id {<guid>} at <ip>",
            ),
            (
                "Upgrading to tokyo-07-08-2022__patch6-12-14-2022_12-20-2022_1024 from 1.8.0_231",
                "Upgrading to <version> from <version>",
            ),
            ("started at 2022-11-17T02:49:13.201-0800, took 02:49", "started at <time>, took <time>"),
            ("class com.glide.util.Log failed", "class com.glide.util.Log failed"),
            (
                "(Worker-Standard:MIDWorker-4b4595fef8cd98e584ecb4ffb06e9a94) sys_id=0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                "(Worker-Standard:MIDWorker-<hex>) sys_id=<hex>",
            ),
            ("MID Server's status can't change", "MID Server's status can't change"),
        ];
        for (message, want) in cases {
            assert_eq!(template(message), want, "{message}");
        }
    }

    #[test]
    fn whitespace_collapses_and_long_messages_are_cut() {
        assert_eq!(template("  a \t b\u{a0}c  "), "a b c");
        let long = "é".repeat(400);
        let t = template(&long);
        assert!(t.len() <= MAX_TEMPLATE + '…'.len_utf8(), "{}", t.len());
        assert!(t.ends_with('…'));
    }

    #[test]
    fn one_message_with_other_values_is_one_template() {
        let a =
            template("Failed to connect to 10.1.2.3:8443 after 3 retries (thread MIDServer-12)");
        let b = template(
            "Failed to connect to 192.168.100.7:8443 after 15 retries (thread MIDServer-4)",
        );
        assert_eq!(a, b);
    }

    #[test]
    fn a_template_masked_again_is_the_same() {
        for m in [
            "Could not authenticate user 'mid.user' on https://x.service-now.com",
            "ecc_queue.42.xml at 2022-11-17 02:49:13 from /opt/servicenow/agent/logs",
            "\"quoted\" and 'single' and it's fine <num> <host>",
        ] {
            let t = template(m);
            assert_eq!(template(&t), t, "{m}");
        }
    }
}
