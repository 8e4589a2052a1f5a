//! Turns Trunk's output into a deployable site: the start script moved out of the page (so the
//! Content-Security-Policy needs no inline script), a strict CSP, a service worker that caches
//! the app for offline use, and the mount script for portals. All URLs stay relative, so dist/
//! works from any sub-path.

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256, Sha384};

/// The policy of the hosted page. Workers start from `blob:` scripts; wasm needs
/// 'wasm-unsafe-eval'; everything else comes from the app's own folder.
pub const CSP: &str =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; \
connect-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
base-uri 'none'; form-action 'none'";

/// Stops with a clear message in browsers without WebAssembly SIMD (the build uses simd128).
pub const SIMD_CHECK: &str = include_str!("simd-check.js");

/// Registers the service worker when the page is served over HTTP(S).
const REGISTER_SW: &str = "\nif ('serviceWorker' in navigator && /^https?:$/.test(location.protocol)) {\n  navigator.serviceWorker.register('./sw.js').catch(() => {});\n}\n";

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A subresource-integrity value (`sha384-…`).
pub fn sri(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The names of the main app's glue script and wasm in dist/.
pub fn main_assets(dist: &Path) -> Result<(String, String), String> {
    let mut glue = None;
    for entry in std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("midtriage-web-") && name.ends_with(".js") {
            glue = Some(name);
        }
    }
    let glue = glue.ok_or("dist/ has no midtriage-web-*.js; run trunk build first")?;
    let wasm = glue.replace(".js", "_bg.wasm");
    Ok((glue, wasm))
}

/// The name of Trunk's hashed CSS file whose name starts with `stem` (`style`, `page`).
pub fn css_file(dist: &Path, stem: &str) -> Result<String, String> {
    std::fs::read_dir(dist)
        .map_err(|e| format!("{}: {e}", dist.display()))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(".css"))
        .ok_or_else(|| format!("dist/ has no {stem}-*.css"))
}

/// Post-processes dist/ after `trunk build`.
pub fn finish(dist: &Path) -> Result<(), String> {
    let index_path = dist.join("index.html");
    let mut index = read(&index_path)?;
    let open = "<script type=\"module\">";
    let at = index
        .find(open)
        .ok_or("index.html: Trunk's start script is missing")?;
    let end = index[at..]
        .find("</script>")
        .ok_or("index.html: unterminated start script")?
        + at;
    let start_js = format!(
        "{SIMD_CHECK}{}{REGISTER_SW}",
        index[at + open.len()..end].trim()
    );
    let name = format!("start-{}.js", &sha256_hex(start_js.as_bytes())[..16]);
    write(&dist.join(&name), &start_js)?;
    let tag = format!("<script type=\"module\" src=\"./{name}\" integrity=\"{}\" crossorigin=\"anonymous\"></script>", sri(start_js.as_bytes()));
    index.replace_range(at..end + "</script>".len(), &tag);
    let charset = "<meta charset=\"utf-8\" />";
    let csp =
        format!("{charset}\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\" />");
    index = index.replacen(charset, &csp, 1);
    if let Ok(origins) = std::env::var("MIDTRIAGE_EMBED_ORIGINS") {
        let meta = "<meta name=\"midtriage-embed-origins\" content=\"\" />";
        let escaped = origins.replace(['"', '<', '>', '&'], "");
        index = index.replacen(
            meta,
            &format!("<meta name=\"midtriage-embed-origins\" content=\"{escaped}\" />"),
            1,
        );
    }
    write(&index_path, &index)?;
    write_mount_script(dist)?;
    write_service_worker(dist)
}

/// `mount.js`: renders the app inside `<div id="midtriage">` of another page, loading its files
/// from wherever mount.js itself was loaded.
fn write_mount_script(dist: &Path) -> Result<(), String> {
    let (glue, wasm) = main_assets(dist)?;
    // Only the app's own stylesheet: page.css styles the standalone page's body.
    let css = css_file(dist, "style")?;
    let js = format!(
        "// Mounts midtriage into <div id=\"midtriage\"> of the page that loads this script.\n\
const base = new URL('./', import.meta.url).href;\n\
window.__midtriageBase = base;\n\
if (!document.querySelector('link[data-midtriage]')) {{\n\
  const link = document.createElement('link');\n\
  link.rel = 'stylesheet';\n\
  link.href = base + '{css}';\n\
  link.dataset.midtriage = '';\n\
  document.head.appendChild(link);\n\
}}\n\
{SIMD_CHECK}\n\
const {{ default: init }} = await import(base + '{glue}');\n\
await init({{ module_or_path: base + '{wasm}' }});\n"
    );
    write(&dist.join("mount.js"), &js)
}

/// `sw.js`: caches every file of the app on first visit and serves them from the cache, so
/// a page visited once also works offline. The cache name changes with the files.
fn write_service_worker(dist: &Path) -> Result<(), String> {
    let mut files: Vec<String> = std::fs::read_dir(dist)
        .map_err(|e| e.to_string())?
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "sw.js" && !n.starts_with("midtriage.html"))
        .collect();
    files.sort();
    let mut digest = Sha256::new();
    for f in &files {
        digest.update(f.as_bytes());
        digest.update(std::fs::read(dist.join(f)).map_err(|e| format!("{f}: {e}"))?);
    }
    let version: String = digest
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let list: Vec<String> = std::iter::once("\"./\"".to_string())
        .chain(files.iter().map(|f| format!("\"./{f}\"")))
        .collect();
    let sw = format!(
        "// Caches the app on first visit so that it also works offline. Generated by cargo xtask dist.\n\
const CACHE = 'midtriage-{version}';\n\
const FILES = [{}];\n\
self.addEventListener('install', (e) => {{\n\
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));\n\
}});\n\
self.addEventListener('activate', (e) => {{\n\
  e.waitUntil(caches.keys()\n\
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('midtriage-') && k !== CACHE).map((k) => caches.delete(k))))\n\
    .then(() => self.clients.claim()));\n\
}});\n\
self.addEventListener('fetch', (e) => {{\n\
  const url = new URL(e.request.url);\n\
  if (e.request.method !== 'GET' || url.origin !== location.origin) return;\n\
  e.respondWith(caches.open(CACHE)\n\
    .then((c) => c.match(e.request, {{ ignoreSearch: true }}))\n\
    .then((hit) => hit || fetch(e.request)));\n\
}});\n",
        list.join(", ")
    );
    write(&dist.join("sw.js"), &sw)
}
