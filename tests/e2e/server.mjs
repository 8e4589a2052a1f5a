// A static file server for dist/, bound to 127.0.0.1 only. Used by `cargo xtask serve` and by
// the end-to-end tests. Serves .wasm as application/wasm, as browsers require for streaming.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves `dir` on 127.0.0.1:`port` (0 picks a free port) under `prefix` (a sub-path such as
 * "/tools/midtriage/", as an intranet server might); resolves to { server, url }.
 * `rewrite(path, text)` may change text files on the way (tests use it to configure a page).
 */
export function serve(dir, port = 0, { prefix = "/", rewrite, cors = false } = {}) {
  const root = resolve(dir);
  const server = createServer(async (req, res) => {
    try {
      const full = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (!full.startsWith(prefix)) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      const path = "/" + full.slice(prefix.length);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, "index.html");
      let body = await readFile(file);
      if (rewrite && /\.(html|js)$/.test(file)) body = Buffer.from(rewrite(path, body.toString("utf8")));
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
        ...(cors ? { "access-control-allow-origin": "*" } : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  return new Promise((ok) =>
    server.listen(port, "127.0.0.1", () => ok({ server, url: `http://127.0.0.1:${server.address().port}${prefix}` })),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir = "dist", port = "8080"] = process.argv.slice(2);
  const { url } = await serve(dir, Number(port));
  console.log(`midtriage is served at ${url}`);
}
