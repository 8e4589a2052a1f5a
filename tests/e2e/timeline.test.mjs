// End-to-end tests of the timeline above the causes: the sample incident's marks and failure
// point, hover and opening evidence, axe, the keyboard and the table. One server and browser
// for the file.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { site } from "./site.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const OUT = join(import.meta.dirname, "output");
const web = site();

before(async () => {
  await mkdir(OUT, { recursive: true });
});

async function open(options = {}) {
  const page = await web.browser.newPage({ viewport: { width: 1200, height: 900 }, ...options });
  page.errors = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(web.url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  return page;
}

const marks = (page) =>
  page.$$eval("[data-timeline] svg [data-event]", (els) =>
    els.map((e) => ({ kind: e.dataset.event, file: e.dataset.eventFile, line: Number(e.dataset.eventLine), cls: e.getAttribute("class") })));

test("the sample incident: marks, the failure point, hover, opening evidence, axe", async () => {
  const page = await open({ bypassCSP: true });
  await page.click("#sample");
  await page.waitForSelector("[data-timeline] svg [data-event]");
  const all = await marks(page);
  assert.ok(all.length >= 10 && all.length <= 300, `${all.length} marks`);
  // The failure point: the upgrade service's failure line in wrapper.log, drawn apart.
  const failed = all.filter((m) => m.cls.includes("failure"));
  assert.deepEqual(failed.map((m) => [m.kind, m.file, m.line]), [["phase-failed", "wrapper.log", 9]]);
  // Both logs have a lane, the agent log first.
  const lanes = await page.$$eval("[data-timeline] .lane text", (t) => t.map((e) => e.textContent));
  assert.deepEqual(lanes, ["agent0.log", "wrapper.log"]);
  assert.match(await page.textContent("[data-timeline] .timeline-notes"), /UTC-05:00/);
  // Hover shows the line, as text.
  await page.hover('[data-event="jvm-launched"], [data-event="wrapper-started"]');
  assert.match(await page.textContent(".timeline-event pre"), /Wrapper Started/);
  // A finding's mark opens its evidence line, scrolled to and focused.
  const first = all.find((m) => m.kind === "finding-first");
  // (Two findings share that line: the mark on top is clicked.)
  await page.locator(`[data-timeline] [data-event="finding-first"][data-event-line="${first.line}"]`).last().click();
  await page.waitForSelector(`[data-focused][data-evidence-line="${first.line}"]`);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.evidenceLine), String(first.line));
  assert.ok(await page.$(`[data-focused][data-evidence-line="${first.line}"] pre.context`), "its context is open");
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document.querySelector("[data-timeline]"), { resultTypes: ["violations"] }));
  const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
  await page.locator("[data-timeline]").screenshot({ path: join(OUT, "timeline-sample.png") });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("keyboard: arrows move between marks, Enter opens, the table lists every event", async () => {
  const page = await open();
  await page.click("#sample");
  await page.waitForSelector("[data-timeline] svg [data-event]");
  // One mark is in the tab order (the failure point); the arrows move from it.
  await page.focus('[data-timeline] [data-event][tabindex="0"]');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.event), "phase-failed");
  await page.keyboard.press("Home");
  const first = await page.evaluate(() => document.activeElement.dataset.index);
  await page.keyboard.press("ArrowRight");
  const second = await page.evaluate(() => document.activeElement.dataset.index);
  assert.ok(Number(second) > Number(first), `${first} then ${second}`);
  assert.match(await page.textContent(".timeline-detail"), /agent0\.log\.0:\d+/);
  // On to the first finding, then Enter.
  for (let i = 0; i < 40; i++) {
    if ((await page.evaluate(() => document.activeElement.dataset.event)) === "finding-first") break;
    await page.keyboard.press("ArrowRight");
  }
  assert.equal(await page.evaluate(() => document.activeElement.dataset.event), "finding-first");
  await page.keyboard.press("Enter");
  await page.waitForSelector("[data-focused][data-evidence-line]");
  // The table: every event, the failure marked.
  await page.click("#timeline-table-toggle");
  const rows = await page.$$eval("#timeline-table tbody tr", (r) => r.length);
  assert.equal(rows, (await marks(page)).length);
  assert.match(await page.textContent("#timeline-table tr.failure"), /Upgrade failed here/);
  await page.close();
});
