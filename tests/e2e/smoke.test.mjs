// End-to-end smoke test of the release build: the page loads from a plain static server,
// shows the engine it carries, logs no error and makes no request after it has loaded.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { site } from "./site.mjs";

const OUT = join(import.meta.dirname, "output");
const web = site();

before(async () => {
  await mkdir(OUT, { recursive: true });
});

test("the release build loads and shows the engine version and rule count", async () => {
  const page = await web.browser.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(web.url);
  await page.waitForSelector('[data-worker-ready="true"]');
  assert.equal(await page.textContent("#rule-count"), "32", "the worker reports its catalogue");
  assert.match(await page.textContent("#engine-version"), /^\d+\.\d+\.\d+$/);
  assert.equal(await page.textContent("h1"), "midtriage");
  await page.screenshot({ path: join(OUT, "home.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("no request leaves the page after it has loaded, and none goes off 127.0.0.1", async () => {
  const page = await web.browser.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(web.url, { waitUntil: "networkidle" });
  // Loading ends when the analysis worker's code has arrived and the worker reports ready.
  await page.waitForSelector('[data-worker-ready="true"]');
  const loaded = requests.length;
  await page.waitForTimeout(1500);
  // blob: and data: URLs are objects inside the page (the worker's code), not network traffic.
  const network = (list) => list.filter((u) => !/^(blob|data):/.test(u));
  assert.deepEqual(network(requests.slice(loaded)), [], "requests after load");
  for (const r of network(requests)) assert.ok(r.startsWith(web.url), `unexpected request ${r}`);
  await page.close();
});
