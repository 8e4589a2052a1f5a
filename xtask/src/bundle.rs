//! `cargo xtask bundle`: dist/midtriage.html, one file that works from disk with no server and
//! no network. The glue is part of the inline module script, between two marker comments; the
//! page also reads it from there, as text, to build its workers' `blob:` script (they
//! instantiate the page's module). The one wasm module is embedded gzipped and base64-encoded
//! and inflated with DecompressionStream. A strict CSP allows exactly these inline blocks by
//! hash.
//!
//! The page can show its own SHA-256: it carries its skeleton (the file with every block
//! replaced by a slot marker), refills the slots from its own blocks and hashes the result,
//! which is byte for byte this file. `finish` checks that before it reports the hash.

use std::path::Path;

use base64::Engine as _;

use crate::dist::{css_file, main_assets, sha256_hex};

const SKELETON: &str = include_str!("bundle-skeleton.html");

/// The start script: inflates the wasm, hands the glue's text to the app, computes the
/// page's own SHA-256, and starts the app. It follows the app's glue in the same module script.
const START: &str = r#"
const block = (id) => document.getElementById(id).textContent;
const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
async function inflate(id) {
  const stream = new Blob([bytes(block(id))]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
async function selfHash() {
  const skeleton = new TextDecoder().decode(bytes(block("midtriage-skeleton")));
  const slots = {
    "@@CSP@@": document.querySelector('meta[http-equiv="Content-Security-Policy"]').getAttribute("content"),
    "@@CSS@@": document.querySelector("style").textContent,
    "@@SKELETON@@": block("midtriage-skeleton"),
    "@@WASM@@": block("midtriage-wasm"),
    "@@SCRIPT@@": document.querySelector("script[type=module]").textContent,
  };
  const page = skeleton.replace(/@@[A-Z_]+@@/g, (slot) => slots[slot]);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(page));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
window.__midtriageBundle = { sha256: selfHash() };
const script = document.querySelector("script[type=module]").textContent;
const mark = (m) => "/*midtriage:" + m + "*/";
window.__midtriageGlue = script.slice(script.indexOf(mark("glue")), script.indexOf(mark("end")));
await __wbg_init({ module_or_path: await inflate("midtriage-wasm") });
"#;

/// Gzip (as DecompressionStream reads it) made by Zopfli, which packs the module about 5 %
/// smaller than `gzip -9`, then base64.
fn gzip_b64(bytes: &[u8]) -> Result<String, String> {
    let mut gz = Vec::new();
    zopfli::compress(
        zopfli::Options::default(),
        zopfli::Format::Gzip,
        bytes,
        &mut gz,
    )
    .map_err(|e| e.to_string())?;
    Ok(base64::engine::general_purpose::STANDARD.encode(gz))
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn csp_hash(text: &str) -> String {
    use sha2::Digest;
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

/// Inline script text may not contain `</script`; inside JS strings `<\/script` is the same.
fn script_safe(js: &str) -> String {
    js.replace("</script", "<\\/script")
}

/// Builds dist/midtriage.html from a finished dist/; returns its SHA-256.
pub fn bundle(dist: &Path) -> Result<String, String> {
    let (glue_name, wasm_name) = main_assets(dist)?;
    let glue = String::from_utf8(read(&dist.join(&glue_name))?).map_err(|e| e.to_string())?;
    let mut css = String::new();
    for stem in ["page", "style"] {
        let name = css_file(dist, stem)?;
        css.push_str(&String::from_utf8(read(&dist.join(name))?).map_err(|e| e.to_string())?);
        css.push('\n');
    }
    let script = script_safe(&format!(
        "{}\n/*midtriage:glue*/\n{glue}\n/*midtriage:end*/\n{START}",
        crate::dist::SIMD_CHECK
    ));
    let csp = format!(
        "default-src 'none'; script-src {} 'wasm-unsafe-eval'; worker-src blob:; style-src {}; img-src data:; object-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(&script),
        csp_hash(&css)
    );
    let skeleton_b64 = base64::engine::general_purpose::STANDARD.encode(SKELETON.as_bytes());
    let slots = [
        ("@@CSP@@", csp),
        ("@@CSS@@", css),
        ("@@SKELETON@@", skeleton_b64),
        ("@@WASM@@", gzip_b64(&read(&dist.join(&wasm_name))?)?),
        ("@@SCRIPT@@", script),
    ];
    for (slot, value) in &slots {
        if value.contains("@@") && *slot != "@@SCRIPT@@" {
            return Err(format!(
                "bundle: the content for {slot} contains a slot marker"
            ));
        }
    }
    // Fill every slot in one pass over the skeleton, exactly as the page does.
    let mut page = String::with_capacity(4 << 20);
    let mut rest = SKELETON;
    while let Some(at) = rest.find("@@") {
        let end = rest[at + 2..]
            .find("@@")
            .ok_or("bundle: unterminated slot in the skeleton")?
            + at
            + 4;
        let slot = &rest[at..end];
        let value = slots
            .iter()
            .find(|(s, _)| *s == slot)
            .ok_or_else(|| format!("bundle: unknown slot {slot}"))?;
        page.push_str(&rest[..at]);
        page.push_str(&value.1);
        rest = &rest[end..];
    }
    page.push_str(rest);
    let out = dist.join("midtriage.html");
    std::fs::write(&out, &page).map_err(|e| format!("{}: {e}", out.display()))?;
    let hash = sha256_hex(page.as_bytes());
    std::fs::write(
        dist.join("midtriage.html.sha256"),
        format!("{hash}  midtriage.html\n"),
    )
    .map_err(|e| e.to_string())?;
    Ok(hash)
}
