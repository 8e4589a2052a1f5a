// A user's own rules files in the browser: chosen with the logs, used for the run, listed in the
// results, run after run with a new set each time, in the same worker (its catalogues are
// shared with the runs and freed when they leave its cache).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { site } from "./site.mjs";

const DIR = join(import.meta.dirname, "output", "rules");
const OUT = join(import.meta.dirname, "output");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
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

// The round trip from an error no rule explains: KB0639494's start-up error inside an otherwise
// healthy upgrade's agent log is listed under "Errors no rule explains" (never as a cause); a
// rule drafted from it is shown, edited, downloaded and run with the same logs, where it fires
// on that line and the error leaves the list.
test("a rule drafted from an unexplained error is edited, downloaded and run", { timeout: 120000 }, async () => {
  const healthy = (await readFile(join(FIXTURES, "healthy-upgrade", "agent0.log.0"), "utf8")).split("\n");
  const foreign = (await readFile(join(FIXTURES, "field-guide", "fg12-kb0639494.log"), "utf8")).trim();
  healthy.splice(10, 0, foreign);
  await writeFile(join(DIR, "agent0.log.0"), healthy.join("\n"));
  const page = await web.browser.newPage({ bypassCSP: true });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(web.url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.setInputFiles("#log-files", join(DIR, "agent0.log.0"));
  await page.click("#analyse");
  await page.waitForSelector("#unexplained", { timeout: 20000 });
  assert.equal(await page.$("[data-finding-id]"), null, "no rule knows this error");
  const entry = page.locator(".unexplained-entry").first();
  assert.equal(await entry.getAttribute("data-template"), "Problem creating JMX JMXMP connector");
  assert.match(await entry.locator(".hint").first().textContent(), /^Seen once, at 2017-10-11 19:00:00\.811\.$/);
  await entry.locator("details.example summary").click();
  assert.equal(await entry.locator("pre.example-text").textContent(), foreign);
  assert.match(await entry.locator("summary").textContent(), /agent0\.log\.0, line 11/);

  await entry.locator("button.draft-rule").click();
  const editor = page.locator("#draft-text");
  await editor.waitFor();
  const draft = await editor.inputValue();
  assert.match(draft, /^all = \["Problem creating JMX JMXMP connector"\]$/m);
  assert.match(draft, /^files = \["agent", "unknown"\]$/m);
  assert.ok(draft.includes(`fire = [${JSON.stringify(foreign)}]`), draft);
  // The quiet sample is another line of the same log: one of the upgrade's ordinary INFO lines.
  assert.match(draft, /^quiet = \["2025-11-25T\d\d:\d\d:\d\d\.\d+-0500 INFO  /m);
  const edited = draft.replace(/^id = ".*"$/m, 'id = "jmx-connector"');
  await editor.fill(edited);

  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document.querySelector("#unexplained"), { resultTypes: ["violations"] }));
  const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
  await page.screenshot({ path: join(OUT, "unexplained-draft.png"), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#draft-download")]);
  assert.equal(download.suggestedFilename(), "jmx-connector.toml");
  assert.equal(await readFile(await download.path(), "utf8"), edited);
  assert.match(await page.textContent("#draft-status"), /downloaded as jmx-connector\.toml/);

  await page.click("#draft-run");
  await page.waitForSelector('[data-finding-id="jmx-connector"]', { timeout: 20000 });
  const card = page.locator('[data-finding-id="jmx-connector"]');
  assert.match(await card.locator(".evidence").textContent(), /Problem creating JMX JMXMP connector/);
  assert.match(await page.locator("ul.inputs li", { hasText: "jmx-connector.toml" }).textContent(), /rules file/);
  assert.equal(await page.getAttribute('.files-read [data-rules-file="jmx-connector.toml"]', "data-used"), "true");
  assert.equal(await page.$('[data-template="Problem creating JMX JMXMP connector"]'), null, "the error left the list");
  await page.screenshot({ path: join(OUT, "unexplained-rule-run.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
