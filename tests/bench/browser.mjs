// End-to-end browser benchmark: the release build picks large logs through its file input and
// analyses them in its workers (MIDTRIAGE_WORKERS sets the pool size with ?workers=N). Reports MB/s, the worker's peak wasm memory and the longest
// main-thread task during the analysis (PerformanceObserver "longtask"), over RUNS fresh pages:
// the best throughput, and the worst memory, longest task and time to first finding.
// Usage: node tests/bench/browser.mjs RUNS FILE...   (run by `cargo xtask bench`)
// It also reports how many of the machine's cores were busy during the best run (from
// /proc/stat: the page, its workers, their readers and the browser's own file reading).
// The last line is machine-readable: RESULT mibps=.. memory_mib=.. longest_ms=.. first_ms=.. workers=.. cores=..
import { readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { serve } from "../e2e/server.mjs";
import { launch } from "../e2e/browser.mjs";

const runs = Number(process.argv[2]);
const files = process.argv.slice(3).map((f) => resolve(f));
if (!(runs > 0) || files.length === 0) throw new Error("usage: browser.mjs RUNS FILE...");
let size = 0;
for (const f of files) size += (await stat(f)).size;
const query = process.env.MIDTRIAGE_WORKERS ? `&workers=${process.env.MIDTRIAGE_WORKERS}` : "";
const mb = size / 1048576;
const { server, url } = await serve(resolve(process.env.MIDTRIAGE_DIST || "dist"));
const browser = await launch();

/** Busy CPU time of the whole machine so far, in seconds (NaN where /proc/stat is missing). */
function busy() {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return NaN;
  }
}

async function once() {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (window.__measuring) window.__longest = Math.max(window.__longest, e.duration);
    }).observe({ type: "longtask", buffered: false });
  });
  await page.goto(url + "?step=analyse" + query);
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.setInputFiles("#log-files", files);
  await page.evaluate(() => (window.__measuring = true));
  const clicked = Date.now();
  const busyBefore = busy();
  await page.click("#analyse");
  // How soon is the first finding on screen (or the results, when there is none)?
  await page.waitForSelector("[data-found-id], .results", { timeout: 15 * 60 * 1000 });
  const first = Date.now() - clicked;
  await page.waitForSelector(".results", { timeout: 15 * 60 * 1000 });
  const cores = (busy() - busyBefore) / ((Date.now() - clicked) / 1000);
  const r = await page.evaluate(() => {
    window.__measuring = false;
    const el = document.querySelector(".results");
    return {
      elapsed: Number(el.dataset.elapsedMs),
      memory: Number(el.dataset.workerMemory),
      workers: Number(document.querySelector("[data-workers]").dataset.workers),
      longest: window.__longest,
      findings: document.querySelectorAll("[data-finding-id]").length,
    };
  });
  await page.close();
  return { ...r, first, cores, mibps: mb / (r.elapsed / 1000) };
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
await browser.close();
server.close();
const best = results.reduce((a, b) => (b.mibps > a.mibps ? b : a));
const worst = (key) => Math.max(...results.map((r) => r[key]));
console.log(
  `browser: ${files.length} file(s), ${mb.toFixed(0)} MiB in ${(best.elapsed / 1000).toFixed(2)} s = ${best.mibps.toFixed(0)} MiB/s end to end (best of ${runs}; runs: ${results.map((r) => r.mibps.toFixed(0)).join(", ")} MiB/s); ` +
    `worker wasm memory ${(worst("memory") / 1048576).toFixed(1)} MiB; longest main-thread task ${worst("longest").toFixed(0)} ms; ` +
    `first finding on screen after ${worst("first")} ms; ${best.findings} findings (worst of ${runs} for memory, task and first finding); ` +
    `${best.cores.toFixed(2)} cores busy in the best run`,
);
console.log(
  `RESULT mibps=${best.mibps.toFixed(1)} memory_mib=${(worst("memory") / 1048576).toFixed(1)} longest_ms=${worst("longest").toFixed(0)} first_ms=${worst("first")} workers=${best.workers} cores=${best.cores.toFixed(2)}`,
);
