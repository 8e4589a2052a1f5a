// End-to-end browser benchmark: the release build picks a large log through its file input and
// analyses it in the worker. Reports MB/s, the worker's peak wasm memory and the longest
// main-thread task during the analysis (PerformanceObserver "longtask").
// Usage: node tests/bench/browser.mjs FILE   (run by `cargo xtask bench`)
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { serve } from "../e2e/server.mjs";
import { launch } from "../e2e/browser.mjs";

const file = resolve(process.argv[2]);
const size = (await stat(file)).size;
const { server, url } = await serve(resolve(process.env.MIDTRIAGE_DIST || "dist"));
const browser = await launch();
const page = await browser.newPage();
await page.addInitScript(() => {
  window.__longest = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (window.__measuring) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: "longtask", buffered: false });
});
await page.goto(url + "?step=analyse");
await page.waitForSelector('[data-worker-ready="true"]');
await page.setInputFiles("#log-files", file);
await page.evaluate(() => (window.__measuring = true));
const clicked = Date.now();
await page.click("#analyse");
// The synthetic log's first incident is about 5 MB in: how soon is it on screen?
await page.waitForSelector("[data-found-id], .results", { timeout: 15 * 60 * 1000 });
const firstFinding = Date.now() - clicked;
await page.waitForSelector(".results", { timeout: 15 * 60 * 1000 });
const r = await page.evaluate(() => {
  window.__measuring = false;
  const el = document.querySelector(".results");
  return {
    elapsed: Number(el.dataset.elapsedMs),
    memory: Number(el.dataset.workerMemory),
    longest: window.__longest,
    findings: document.querySelectorAll("[data-finding-id]").length,
  };
});
await browser.close();
server.close();
const mb = size / 1048576;
console.log(`browser: ${mb.toFixed(0)} MiB in ${(r.elapsed / 1000).toFixed(2)} s = ${(mb / (r.elapsed / 1000)).toFixed(0)} MiB/s end to end; worker wasm memory ${(r.memory / 1048576).toFixed(1)} MiB; longest main-thread task ${r.longest.toFixed(0)} ms; first finding on screen after ${firstFinding} ms; ${r.findings} findings`);
