//! The engine's import check, part of `cargo xtask test`: the top-level modules of
//! crates/engine/src import each other without a cycle, and, where lib.rs groups them under
//! `// Layer N: …` headers, only from their own layer or the ones below it.
//!
//! Imports are read from the source text: every `crate::a…` path (also inside `use crate::{…}`
//! groups), `super::a…` from a top-level file, and root re-exports (`pub use a::B` in lib.rs
//! makes `crate::B` an import of `a`). Comments, string literals and `#[cfg(test)]` items are
//! left out: tests may use anything.

use std::collections::BTreeMap;
use std::path::Path;

/// What lib.rs declares: each top-level module with its layer, and the names it re-exports.
#[derive(Debug, Default)]
pub struct Crate {
    /// Module name → layer (0 when lib.rs has no layer headers above it).
    pub layers: BTreeMap<String, u32>,
    /// Re-exported name → the module it comes from.
    pub reexports: BTreeMap<String, String>,
}

/// Checks crates/engine/src; the error lists every cycle and upward import.
pub fn check(src: &Path) -> Result<(), String> {
    let lib = read(&src.join("lib.rs"))?;
    let krate = parse_lib(&lib);
    let mut deps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for module in krate.layers.keys() {
        for (file, text) in module_files(src, module)? {
            let top_file = !file.contains('/') || file.ends_with("/mod.rs");
            for target in imports(&without_tests(&strip(&text)), top_file, &krate) {
                if &target != module && krate.layers.contains_key(&target) {
                    deps.entry(module.clone())
                        .or_default()
                        .entry(target)
                        .or_insert(file.clone());
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (from, targets) in &deps {
        for (to, file) in targets {
            let (lf, lt) = (krate.layers[from], krate.layers[to]);
            if lt > lf {
                problems.push(format!(
                    "{file}: `{from}` (layer {lf}) imports `{to}` (layer {lt}), a higher layer"
                ));
            }
        }
    }
    for cycle in cycles(&deps) {
        problems.push(format!("import cycle: {}", cycle.join(" → ")));
    }
    if problems.is_empty() {
        println!(
            "xtask: engine imports: {} modules, no cycle, no upward import",
            krate.layers.len()
        );
        Ok(())
    } else {
        Err(format!("engine imports:\n  {}", problems.join("\n  ")))
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the module declarations, `// Layer N` headers and `pub use` re-exports of lib.rs.
pub fn parse_lib(lib: &str) -> Crate {
    let mut krate = Crate::default();
    let text = without_tests(lib);
    let code = strip(&text);
    let mut layer_at = Vec::new();
    let mut current = 0;
    for line in text.lines() {
        if let Some(rest) = line.trim().strip_prefix("// Layer ") {
            current = rest
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(current);
        }
        layer_at.push(current);
    }
    for (n, line) in code.lines().enumerate() {
        let line = line.trim();
        let decl = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("pub(crate) mod "))
            .or_else(|| line.strip_prefix("mod "));
        if let Some(name) = decl.and_then(|d| d.strip_suffix(';')) {
            krate.layers.insert(
                name.trim().to_string(),
                layer_at.get(n).copied().unwrap_or(0),
            );
        }
    }
    // `pub use a::{B, C};` and `pub use a::b::B;`: the first segment is the module.
    let mut rest = code.as_str();
    while let Some(at) = rest.find("pub use ") {
        let stmt_end = rest[at..].find(';').map_or(rest.len(), |e| at + e);
        let stmt = &rest[at + "pub use ".len()..stmt_end];
        rest = &rest[stmt_end..];
        let Some((module, names)) = stmt.split_once("::") else {
            continue;
        };
        let names = names.trim().trim_start_matches('{').trim_end_matches('}');
        for name in names.split(',') {
            let name = name.trim();
            let last = name.rsplit("::").next().unwrap_or(name);
            let last = last.rsplit(" as ").next().unwrap_or(last).trim();
            if !last.is_empty() {
                krate
                    .reexports
                    .insert(last.to_string(), module.trim().to_string());
            }
        }
    }
    krate
}

/// The files of a top-level module, with their paths relative to src/.
fn module_files(src: &Path, module: &str) -> Result<Vec<(String, String)>, String> {
    let single = src.join(format!("{module}.rs"));
    let mut out = Vec::new();
    if single.is_file() {
        out.push((format!("{module}.rs"), read(&single)?));
    }
    let dir = src.join(module);
    if dir.is_dir() {
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let rel = path.strip_prefix(src).unwrap_or(&path);
                    out.push((rel.to_string_lossy().replace('\\', "/"), read(&path)?));
                }
            }
        }
    }
    if out.is_empty() {
        return Err(format!("engine module `{module}` has no source file"));
    }
    Ok(out)
}

/// The source without comments and with string and char literals emptied.
pub fn strip(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let mut depth = 0;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if b[i] == b'\n' {
                            out.push('\n');
                        }
                        i += 1;
                    }
                }
            }
            b'r' if matches!(b.get(i + 1), Some(b'#') | Some(b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                // A raw string: r"…" or r#"…"#.
                let mut j = i + 1;
                let mut hashes = 0;
                while b.get(j) == Some(&b'#') {
                    hashes += 1;
                    j += 1;
                }
                if b.get(j) != Some(&b'"') {
                    out.push('r');
                    i += 1;
                    continue;
                }
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                j += 1;
                while j < b.len() && !b[j..].starts_with(&close) {
                    if b[j] == b'\n' {
                        out.push('\n');
                    }
                    j += 1;
                }
                out.push_str("\"\"");
                i = j + close.len();
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    if b.get(i) == Some(&b'\n') {
                        out.push('\n');
                    }
                    i += 1;
                }
                out.push_str("\"\"");
                i += 1;
            }
            b'\'' => {
                // A char literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
                let end = if b.get(i + 1) == Some(&b'\\') {
                    b[i + 2..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map(|p| i + 2 + p)
                } else {
                    let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (b.get(i + 1 + ch) == Some(&b'\'')).then_some(i + 1 + ch)
                };
                match end {
                    Some(e) => {
                        out.push_str("' '");
                        i = e + 1;
                    }
                    None => {
                        out.push('\'');
                        i += 1;
                    }
                }
            }
            _ => {
                let ch = text[i..].chars().next().unwrap_or(' ');
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The text with every item under `#[cfg(test)]` (and `#[cfg(all(test, …))]`) left out.
pub fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let found = ["#[cfg(test)]", "#[cfg(all(test"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min();
        let Some(at) = found else {
            out.push_str(rest);
            return out;
        };
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        // The item ends at its `;` or at the brace that closes its body.
        let mut depth = 0usize;
        let mut end = item.len();
        let attr_end = item.find(']').map_or(0, |e| e + 1);
        for (i, c) in item[attr_end..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = attr_end + i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = attr_end + i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
}

/// The top-level modules a file's code refers to.
pub fn imports(code: &str, top_file: bool, krate: &Crate) -> Vec<String> {
    let mut out = Vec::new();
    let mut prefixes = vec!["crate::"];
    if top_file {
        prefixes.push("super::");
    }
    for prefix in prefixes {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let before = code.len() - rest.len() + at;
            rest = &rest[at + prefix.len()..];
            if before > 0 {
                let prev = code.as_bytes()[before - 1];
                if prev.is_ascii_alphanumeric() || prev == b'_' {
                    continue;
                }
            }
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 || (depth == 1 && c == ',') {
                        push_target(item.trim(), krate, &mut out);
                        item.clear();
                        if depth == 0 {
                            break;
                        }
                    } else {
                        item.push(c);
                    }
                }
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                push_target(&rest[..end], krate, &mut out);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn push_target(item: &str, krate: &Crate, out: &mut Vec<String>) {
    let first = item
        .split("::")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .next()
        .unwrap_or("");
    if krate.layers.contains_key(first) {
        out.push(first.to_string());
    } else if let Some(module) = krate.reexports.get(first) {
        out.push(module.clone());
    }
}

/// Every strongly connected group of more than one module, each as a path that closes.
fn cycles(deps: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<Vec<String>> {
    let nodes: Vec<&String> = deps.keys().collect();
    let reach = |from: &String| {
        let mut seen = vec![from.clone()];
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in deps.get(&n).into_iter().flat_map(|d| d.keys()) {
                if !seen.contains(next) {
                    seen.push(next.clone());
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let mut groups: Vec<Vec<String>> = Vec::new();
    for n in &nodes {
        if groups.iter().any(|g| g.contains(n)) {
            continue;
        }
        let mut group: Vec<String> = reach(n)
            .into_iter()
            .filter(|m| m != *n && reach(m).contains(n))
            .collect();
        if !group.is_empty() {
            group.insert(0, (*n).clone());
            group.sort();
            groups.push(group);
        }
    }
    groups
        .into_iter()
        .map(|mut g| {
            let first = g[0].clone();
            g.push(first);
            g
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "//! Docs mention crate::flow.\n// Layer 1: base\npub mod error;\nmod lines;\n// Layer 2: parsing\npub mod record;\n// Layer 3: results\npub mod analysis;\n\npub use analysis::{Analysis, Context as Ctx};\npub use error::Error;\n#[cfg(test)]\nmod testutil;\n";

    #[test]
    fn lib_rs_gives_layers_and_reexports() {
        let k = parse_lib(LIB);
        let layers: Vec<(&str, u32)> = k.layers.iter().map(|(m, l)| (m.as_str(), *l)).collect();
        assert_eq!(
            layers,
            [("analysis", 3), ("error", 1), ("lines", 1), ("record", 2)]
        );
        assert_eq!(k.reexports["Ctx"], "analysis");
        assert_eq!(k.reexports["Error"], "error");
        assert!(!k.layers.contains_key("testutil"));
    }

    #[test]
    fn imports_are_read_from_code_only() {
        let k = parse_lib(LIB);
        let code = "use crate::{error::Error, lines::{a, b}};\n// crate::analysis in a comment\nlet s = \"crate::analysis\";\nlet r = r#\"crate::analysis\"#;\nfn f() -> crate::Analysis { todo!() }\nlet c = '\"'; use crate::record;\n#[cfg(test)]\nmod tests { use crate::flow; }\nmycrate::analysis::x();\n";
        let code = without_tests(&strip(code));
        assert_eq!(
            imports(&code, false, &k),
            ["analysis", "error", "lines", "record"]
        );
        assert_eq!(imports("use super::error;", true, &k), ["error"]);
        assert!(imports("use super::error;", false, &k).is_empty());
        assert!(imports("let x = 'a'; let y: &'static str;", false, &k).is_empty());
    }

    #[test]
    fn cycles_are_found() {
        let mut deps: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut edge = |a: &str, b: &str| {
            deps.entry(a.into())
                .or_default()
                .insert(b.into(), format!("{a}.rs"));
        };
        edge("a", "b");
        edge("b", "c");
        edge("c", "a");
        edge("c", "d");
        edge("d", "e");
        assert_eq!(cycles(&deps), [["a", "b", "c", "a"]]);
        deps.remove("c");
        assert!(cycles(&deps).is_empty());
    }

    #[test]
    fn an_upward_import_or_a_cycle_fails_the_check() {
        let dir = std::env::temp_dir().join(format!("midtriage-layers-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("stream")).unwrap();
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
        write(
            "lib.rs",
            "// Layer 1: base\nmod error;\n// Layer 2: up\nmod stream;\nmod flow;\n",
        );
        write("error.rs", "pub struct Error;\n");
        write("stream/mod.rs", "use crate::error::Error;\nmod part;\n");
        write("stream/part.rs", "use super::super::error::Error;\n");
        write(
            "flow.rs",
            "use crate::stream;\n#[cfg(test)]\nmod tests { use crate::error; }\n",
        );
        assert_eq!(check(&dir), Ok(()));
        write("error.rs", "use crate::flow::X;\n");
        let e = check(&dir).unwrap_err();
        assert!(
            e.contains("error.rs: `error` (layer 1) imports `flow` (layer 2)"),
            "{e}"
        );
        write("error.rs", "");
        write("stream/part.rs", "use crate::flow::X;\n");
        let e = check(&dir).unwrap_err();
        assert!(e.contains("import cycle: flow → stream → flow"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
