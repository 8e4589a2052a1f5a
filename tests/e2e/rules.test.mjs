// A user's own rules files in the browser: chosen with the logs, used for the run, listed in the
// results, run after run with a new set each time, in the same worker (its catalogues are
// shared with the runs and freed when they leave its cache).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { site } from "./site.mjs";

const DIR = join(import.meta.dirname, "output", "rules");
const web = site();

const rules = (i) =>
  `[[rule]]\nid = "site-marker-${i}"\ntitle = "Site marker ${i}"\nseverity = "warning"\nkb = "KB0596459"\nstep = 4\nsummary = "s"\nresolution = ["r"]\n[[rule.when]]\nany = ["site marker ${i} "]\n[rule.samples]\nfire = ["x site marker ${i} here"]\nquiet = ["nothing"]\n`;

before(async () => {
  await mkdir(DIR, { recursive: true });
});

test("rules files are used run after run, by the same worker", { timeout: 120000 }, async () => {
  let log = "";
  for (let i = 1; i <= 9; i++) log += `01/01/26 00:00:0${i} (1) Main site marker ${i} here\n`;
  await writeFile(join(DIR, "agent0.log.0"), log);
  const page = await web.browser.newPage();
  await page.goto(web.url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.evaluate(() => {
    window.readiness = [];
    new MutationObserver(() => window.readiness.push(document.querySelector("[data-worker-ready]").dataset.workerReady)).observe(document.body, {
      attributes: true,
      subtree: true,
      attributeFilter: ["data-worker-ready"],
    });
  });
  await page.setInputFiles("#log-files", join(DIR, "agent0.log.0"));
  for (let i = 1; i <= 9; i++) {
    // Each run adds one more file, so each run's set of rules files is new.
    await writeFile(join(DIR, `site-${i}.toml`), rules(i));
    await page.setInputFiles("#log-files", join(DIR, `site-${i}.toml`));
    await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
    await page.click("#analyse");
    await page.waitForSelector(`[data-finding-id="site-marker-${i}"]`, { timeout: 20000 });
    const found = await page.$$eval("[data-finding-id^=site-marker-]", (els) => els.length);
    assert.equal(found, i, `run ${i} used every rules file`);
    assert.equal(await page.getAttribute(`.files-read [data-rules-file="site-${i}.toml"]`, "data-used"), "true");
    const replaced = await page.evaluate(() => window.readiness.includes("false"));
    assert.equal(replaced, false, `after run ${i} the worker was replaced`);
  }
  await page.close();
});
