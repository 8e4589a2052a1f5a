//! What the web app weighs: the wasm and JS of dist/ (raw and gzip), the offline file, and where
//! the module's bytes go, by crate. The breakdown reads the module as rustc wrote it (before
//! wasm-bindgen and wasm-opt, which keep function names): the size of each function's code,
//! summed by the crate its (mangled) name starts with, and the size of the data section.

use std::fmt::Write as _;
use std::path::Path;

use crate::cmd::{gzip_size, root};

/// The module before wasm-bindgen, as the `web` profile builds it.
const UNOPTIMISED: &str = "target/wasm32-unknown-unknown/web/midtriage-web.wasm";

/// The wasm + JS shipped by the hosted page, raw and gzip, in bytes.
pub fn shipped(dist: &Path) -> Result<(u64, u64), String> {
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    let (mut raw, mut gz) = (0u64, 0u64);
    for entry in entries.flatten() {
        let path = entry.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if matches!(ext, "wasm" | "js") {
            raw += std::fs::metadata(&path).map_err(|e| e.to_string())?.len();
            gz += gzip_size(&path)?;
        }
    }
    Ok((raw, gz))
}

/// The Markdown section of BENCHMARKS.md: sizes, then the breakdown.
pub fn report(dist: &Path) -> Result<String, String> {
    let (raw, gz) = shipped(dist)?;
    let wasm: Vec<_> = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "wasm"))
        .collect();
    let offline = dist.join("midtriage.html");
    let mut md = String::new();
    let _ = writeln!(md, "```text");
    let _ = writeln!(
        md,
        "hosted page: {} wasm module; wasm + js {} KiB raw, {} KiB gzip",
        wasm.len(),
        raw / 1024,
        gz / 1024
    );
    if offline.is_file() {
        let size = std::fs::metadata(&offline)
            .map_err(|e| e.to_string())?
            .len();
        let _ = writeln!(
            md,
            "offline file: {} KiB raw, {} KiB gzip",
            size / 1024,
            gzip_size(&offline)? / 1024
        );
    }
    let _ = writeln!(md, "```\n");
    let module = root().join(UNOPTIMISED);
    if let Ok(bytes) = std::fs::read(&module) {
        let b = breakdown(&bytes)?;
        let code: u64 = b.crates.iter().map(|c| c.1).sum();
        let _ = writeln!(
            md,
            "Where the module's bytes go (before wasm-opt): {} KiB of code, {} KiB of data \
             (string constants, tables, the built-in rules' text).\n",
            code / 1024,
            b.data / 1024
        );
        md.push_str("| crate | code KiB | share of code |\n|---|---:|---:|\n");
        for (name, size) in b.crates.iter().take(20) {
            let _ = writeln!(
                md,
                "| {name} | {} | {:.1} % |",
                size / 1024,
                100.0 * *size as f64 / code as f64
            );
        }
        md.push('\n');
    }
    Ok(md)
}

/// Code bytes by crate, largest first, and the data section's size.
pub struct Breakdown {
    pub crates: Vec<(String, u64)>,
    pub data: u64,
}

fn leb(b: &[u8], i: &mut usize) -> Result<u64, String> {
    let (mut value, mut shift) = (0u64, 0);
    loop {
        let byte = *b.get(*i).ok_or("the wasm module ends early")?;
        *i += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
        shift += 7;
        if shift > 63 {
            return Err("a malformed number in the wasm module".into());
        }
    }
}

fn name_at(b: &[u8], i: &mut usize) -> Result<String, String> {
    let len = leb(b, i)? as usize;
    let s = b.get(*i..*i + len).ok_or("the wasm module ends early")?;
    *i += len;
    Ok(String::from_utf8_lossy(s).into_owned())
}

/// Reads the import, code, data and name sections of a wasm module.
pub fn breakdown(b: &[u8]) -> Result<Breakdown, String> {
    if b.get(..4) != Some(b"\0asm") {
        return Err("not a wasm module".into());
    }
    let mut i = 8;
    let (mut imported, mut bodies, mut names, mut data) = (0u64, Vec::new(), Vec::new(), 0);
    while i < b.len() {
        let id = b[i];
        i += 1;
        let size = leb(b, &mut i)? as usize;
        let (start, end) = (i, i + size);
        match id {
            2 => {
                let mut j = start;
                for _ in 0..leb(b, &mut j)? {
                    name_at(b, &mut j)?;
                    name_at(b, &mut j)?;
                    let kind = b[j];
                    j += 1;
                    match kind {
                        0 => {
                            leb(b, &mut j)?;
                            imported += 1;
                        }
                        1 => {
                            j += 1;
                            if leb(b, &mut j)? & 1 == 1 {
                                leb(b, &mut j)?;
                            }
                            leb(b, &mut j)?;
                        }
                        2 => {
                            if leb(b, &mut j)? & 1 == 1 {
                                leb(b, &mut j)?;
                            }
                            leb(b, &mut j)?;
                        }
                        _ => j += 2,
                    }
                }
            }
            10 => {
                let mut j = start;
                for _ in 0..leb(b, &mut j)? {
                    let len = leb(b, &mut j)?;
                    bodies.push(len);
                    j += len as usize;
                }
            }
            11 => data = size as u64,
            0 => {
                let mut j = start;
                if name_at(b, &mut j)? == "name" {
                    while j < end {
                        let sub = b[j];
                        j += 1;
                        let len = leb(b, &mut j)? as usize;
                        if sub == 1 {
                            let mut k = j;
                            for _ in 0..leb(b, &mut k)? {
                                let index = leb(b, &mut k)?;
                                names.push((index, name_at(b, &mut k)?));
                            }
                        }
                        j += len;
                    }
                }
            }
            _ => {}
        }
        i = end;
    }
    let mut by_crate: Vec<(String, u64)> = Vec::new();
    let name_of = |index: u64| names.iter().find(|n| n.0 == index).map(|n| n.1.as_str());
    for (k, len) in bodies.iter().enumerate() {
        let krate = name_of(imported + k as u64).map_or("(unnamed)".into(), crate_of);
        match by_crate.iter_mut().find(|c| c.0 == krate) {
            Some(c) => c.1 += len,
            None => by_crate.push((krate, *len)),
        }
    }
    by_crate.sort_by_key(|c| std::cmp::Reverse(c.1));
    Ok(Breakdown {
        crates: by_crate,
        data,
    })
}

/// The crate a mangled Rust symbol belongs to: the first path segment (`_ZN14regex_automata…`),
/// or, for an impl (`_ZN…_$LT$midtriage_web..app..App$u20$as…`), the first crate named in it.
pub fn crate_of(symbol: &str) -> String {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    if let Some(rest) = symbol
        .strip_prefix("_ZN")
        .or_else(|| symbol.strip_prefix("ZN"))
    {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let len: usize = digits.parse().unwrap_or(0);
        let first = rest.get(digits.len()..digits.len() + len).unwrap_or("");
        if let Some(inner) = first.strip_prefix("_$LT$") {
            let inner = inner.trim_start_matches("$RF$").trim_start_matches("$u20$");
            let found = rest[digits.len()..]
                .find("..")
                .map(|at| &rest[digits.len()..digits.len() + at]);
            if let Some(path) = found {
                let start = path
                    .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(0, |p| p + 1);
                return path[start..].to_string();
            }
            return ident(inner);
        }
        return ident(first);
    }
    if symbol.starts_with("_R") {
        // v0 mangling: the crate is `Cs<disambiguator>_<length><name>`.
        if let Some(at) = symbol.find("Cs") {
            let rest = &symbol[at + 2..];
            if let Some(us) = rest.find('_') {
                let rest = &rest[us + 1..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let len: usize = digits.parse().unwrap_or(0);
                return rest
                    .get(digits.len()..digits.len() + len)
                    .unwrap_or("")
                    .to_string();
            }
        }
    }
    let plain = ident(symbol.trim_start_matches('_'));
    if plain.is_empty() {
        "(other)".into()
    } else {
        plain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_attributed_to_their_crate() {
        assert_eq!(
            crate_of("_ZN14regex_automata4meta8strategy3new17hfb413a632e2601e2E"),
            "regex_automata"
        );
        assert_eq!(
            crate_of("_ZN77_$LT$midtriage_web..app..App$u20$as$u20$yew..functional..FunctionProvider$GT$3run17h1c6e363ed178f578E"),
            "midtriage_web"
        );
        assert_eq!(
            crate_of(
                "_RINvNtNtCsgXGp5Oqx2Ny_4core3fmt5float32float_to_decimal_common_shortestdEB6_"
            ),
            "core"
        );
        assert_eq!(crate_of("dlmalloc"), "dlmalloc");
    }

    #[test]
    fn a_tiny_module_is_read() {
        // Header, a type section, one function and its 4-byte body, a 3-byte data section and
        // a name section naming the function.
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // type: () -> ()
        m.extend([3, 2, 1, 0]); // function 0 has type 0
        m.extend([10, 6, 1, 4, 0, 1, 1, 0x0b]); // code: one body of 4 bytes
        m.extend([11, 3, 0, 0, 0]); // data: 3 bytes
        let name = b"_ZN4demo1f17h0000000000000000E";
        let mut sub = vec![1u8, name.len() as u8 + 3, 1, 0, name.len() as u8];
        sub.extend(name);
        let mut custom = vec![4u8];
        custom.extend(b"name");
        custom.extend(sub);
        m.push(0);
        m.push(custom.len() as u8);
        m.extend(custom);
        let b = breakdown(&m).unwrap();
        assert_eq!(b.crates, [("demo".to_string(), 4)]);
        assert_eq!(b.data, 3);
        assert!(breakdown(b"not wasm").is_err());
    }
}
