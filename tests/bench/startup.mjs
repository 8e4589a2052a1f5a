// Time from navigation to an interactive page in headless Chromium, for the hosted build and
// the offline single file: first the step heading rendered, then the analysis engine (worker)
// ready. Median of several cold loads (new browser context each time). Run by `cargo xtask bench`.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "../e2e/server.mjs";
import { launch } from "../e2e/browser.mjs";

const DIST = resolve(process.env.MIDTRIAGE_DIST || "dist");
const RUNS = Number(process.env.MIDTRIAGE_STARTUP_RUNS || 7);
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(browser, url) {
  const rendered = [];
  const ready = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext({ serviceWorkers: "block" });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "commit" });
    await page.waitForSelector("#step-heading");
    rendered.push(await page.evaluate(() => performance.now()));
    await page.waitForSelector('[data-worker-ready="true"]');
    ready.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  return { rendered: median(rendered), ready: median(ready) };
}

const { server, url } = await serve(DIST);
const browser = await launch();
const hosted = await measure(browser, url);
const offline = await measure(browser, pathToFileURL(join(DIST, "midtriage.html")).href);
await browser.close();
server.close();
for (const [name, r] of [["hosted (127.0.0.1)", hosted], ["offline file (file://)", offline]]) {
  console.log(`startup ${name}: first step rendered ${r.rendered.toFixed(0)} ms, engine ready ${r.ready.toFixed(0)} ms (median of ${RUNS})`);
}
