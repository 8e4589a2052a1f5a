// The hosted build (cargo xtask dist) on a plain static server under a sub-path: its CSP is in
// force and never violated, a fixture incident is analysed, nothing is requested after load,
// and once visited the app keeps working offline through its service worker.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { serve } from "./server.mjs";
import { launch } from "./browser.mjs";

const DIST = process.env.MIDTRIAGE_DIST || "dist";
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const PREFIX = "/tools/midtriage/";
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A page that records CSP violations (from the event and from console messages). */
async function watched(context) {
  const page = await context.newPage();
  page.violations = [];
  page.on("console", (m) => /Content.Security.Policy/i.test(m.text()) && page.violations.push(m.text()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

test("from a sub-path, under its CSP, a fixture incident is analysed and nothing is requested after load", async () => {
  const { server, url } = await serve(DIST, 0, { prefix: PREFIX });
  const context = await browser.newContext();
  const page = await watched(context);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.evaluate(() => navigator.serviceWorker.ready);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  for (const directive of ["default-src 'none'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'none'"]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  assert.ok(!csp.includes("unsafe-inline") && !/script-src[^;]*(https?:|\*)/.test(csp), csp);
  // The page and its workers share one WebAssembly module: one in dist/, loaded once.
  const modules = readdirSync(DIST).filter((n) => n.endsWith(".wasm"));
  assert.equal(modules.length, 1, `dist/ holds ${modules.join(", ")}`);
  const loaded = requests.length;
  await page.setInputFiles("#log-files", [join(FIXTURES, "field-guide/fg30-kb0779852.log"), join(FIXTURES, "field-guide/fg36-kb0565184.log")]);
  await page.click("#analyse");
  await page.waitForSelector("[data-finding-id]");
  const ids = await page.$$eval("[data-finding-id]", (els) => els.map((e) => e.dataset.findingId));
  assert.deepEqual(ids, ["file-delete-failed", "file-locked", "download-failed"]);
  await page.click("#download-report");
  await page.waitForTimeout(300);
  const network = requests.slice(loaded).filter((u) => /^https?:/.test(u));
  assert.deepEqual(network, [], "requests after load");
  const fetched = new Set(requests.filter((u) => u.endsWith(".wasm")).map((u) => u.split("/").pop()));
  assert.deepEqual([...fetched], modules, "the workers run the page's module");
  for (const r of requests.filter((u) => /^https?:/.test(u))) assert.ok(r.startsWith(url), `request outside the sub-path: ${r}`);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.violations, []);
  await context.close();
  server.close();
});

test("a page visited once works offline", async () => {
  const { server, url } = await serve(DIST, 0, { prefix: PREFIX });
  const context = await browser.newContext();
  const page = await watched(context);
  await page.goto(url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  server.closeAllConnections();
  await new Promise((ok) => server.close(ok));
  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.click("#sample");
  await page.waitForSelector('[data-finding-id="file-locked"]');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  await context.close();
});
