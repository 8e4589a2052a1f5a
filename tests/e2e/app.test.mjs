// End-to-end tests of the guided troubleshooter against the release build: the flow by
// keyboard alone, uploads, paste, Cancel, editing answers, text-only rendering of hostile log
// lines, no network after load, accessibility (axe-core), and a screenshot of every step.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";
import { site } from "./site.mjs";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const OUT = join(import.meta.dirname, "output");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const web = site();

before(async () => {
  await mkdir(OUT, { recursive: true });
});

/** A new page on `path`, with the worker loaded; console errors are collected in page.errors. */
async function open(path = "", options = {}) {
  const page = await web.browser.newPage({ viewport: { width: 1200, height: 900 }, ...options });
  page.errors = [];
  page.on("console", (m) => m.type() === "error" && page.errors.push(m.text()));
  page.on("pageerror", (e) => page.errors.push(String(e)));
  await page.goto(web.url + path);
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  return page;
}

/** Presses Tab until the focused element matches `selector`. */
async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** Adds a generated agent log of about `mb` MB through the file input, built inside the page. */
/** Adds a file built inside the page from `parts` (text, or [text, times]) through the file input. */
async function addFile(page, name, parts) {
  await page.evaluate(([name, parts]) => {
    const blobs = parts.flatMap((p) => (Array.isArray(p) ? Array(p[1]).fill(p[0]) : [p]));
    const dt = new DataTransfer();
    dt.items.add(new File(blobs, name, { type: "text/plain" }));
    const input = document.getElementById("log-files");
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, [name, parts]);
}

/** One MiB of ordinary agent-log lines. */
const NOISE_MIB = (() => {
  const line = "11/25/25 02:00:00 (000) ECCSender.1 Sending ecc_queue.8d1f3a2c1b9e4e50a2f6c7b8d9e0a1b2.xml to the instance\n";
  return line.repeat(Math.ceil((1024 * 1024) / line.length));
})();

/** One MiB of lines that each match a rule: the slowest text for the engine (a few seconds per
 * 100 MiB), so that a run is still going when a test acts on it. */
const BUSY_MIB = (() => {
  const line = "11/25/25 02:00:00 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";
  return line.repeat(Math.ceil((1024 * 1024) / line.length));
})();

/** Adds a generated agent log of about `mb` MiB that takes the engine a while. */
const addBigFile = (page, mb, name = "agent0.log.9") => addFile(page, name, [[BUSY_MIB, mb]]);

const ids = (page) => page.$$eval("[data-finding-id]", (els) => els.map((e) => e.dataset.findingId));

test("?step=analyse opens step 4 with a multi-file input", async () => {
  const page = await open("?step=analyse");
  assert.match(await page.textContent("#step-heading"), /Step 4/);
  assert.equal(await page.getAttribute("#log-files", "type"), "file");
  assert.equal(await page.$eval("#log-files", (e) => e.multiple), true);
  await page.close();
});

test("keyboard alone walks every step and reaches a result", async () => {
  const page = await open();
  await tabTo(page, "#symptom-down");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#symptom-down"), true);
  await tabTo(page, "button.primary");
  await page.keyboard.press("Enter");
  assert.match(await page.textContent("#step-heading"), /Step 1/);
  assert.equal(await page.evaluate(() => document.activeElement.id), "step-heading");
  await tabTo(page, "#upgraded-yes");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#upgraded-yes"), true);
  await tabTo(page, "button.primary");
  await page.keyboard.press("Enter");
  await tabTo(page, "input[name=status]");
  await page.keyboard.press("ArrowDown");
  assert.equal(await page.isChecked("#status-down"), true);
  await tabTo(page, "button.primary");
  await page.keyboard.press("Enter");
  assert.match(await page.textContent("#step-heading"), /Step 3/);
  await tabTo(page, "button.primary");
  await page.keyboard.press("Enter");
  assert.match(await page.textContent("#step-heading"), /Step 4/);
  await tabTo(page, "#sample");
  await page.keyboard.press("Enter");
  await page.waitForSelector('[data-finding-id="file-locked"]');
  await tabTo(page, ".evidence-item button.link");
  await page.keyboard.press("Enter");
  await page.waitForSelector("pre.context");
  assert.match(await page.textContent("#announcer"), /Analysis finished: 2 findings/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("uploaded fixture logs show finding titles and evidence lines", async () => {
  const page = await open("?step=analyse");
  await page.setInputFiles("#log-files", [
    join(FIXTURES, "field-guide/fg36-kb0565184.log"),
    join(FIXTURES, "field-guide/fg30-kb0779852.log"),
  ]);
  await page.click("#analyse");
  await page.waitForSelector("[data-finding-id]");
  // Most severe first; among equals, the one seen earliest (fg36's KB lines carry no time).
  assert.deepEqual(await ids(page), ["file-delete-failed", "file-locked", "download-failed"]);
  const card = page.locator('[data-finding-id="download-failed"]');
  assert.match(await card.locator("h4").textContent(), /could not download the upgrade packages/);
  const where = await card.locator(".where code").allTextContents();
  assert.ok(where.includes("fg36-kb0565184.log:8"), where.join(" | "));
  assert.match(await card.locator("pre.line").first().textContent(), /Unable to download updates from install server|connect timed out/);
  assert.match(await card.locator("mark").first().textContent(), /\S/);
  assert.ok(await page.isVisible('[data-finding-id="file-delete-failed"] .reinstall'));
  await page.close();
});

test("gzip and ZIP uploads are analysed like the logs inside", async () => {
  const { gzipSync, deflateRawSync } = await import("node:zlib");
  const { readFileSync } = await import("node:fs");
  const agent = readFileSync(join(FIXTURES, "field-guide/fg36-kb0565184.log"));
  const wrapper = readFileSync(join(FIXTURES, "field-guide/fg41-kb0690910.log"));
  // A minimal ZIP: one local header and deflated data per entry, then a central directory marker.
  const entry = (name, data) => {
    const body = deflateRawSync(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(name.length, 26);
    return Buffer.concat([h, Buffer.from(name), body]);
  };
  const zip = Buffer.concat([entry("logs/agent0.log.0", agent), entry("logs/wrapper.log", wrapper), Buffer.from("PK\x01\x02")]);
  const page = await open("?step=analyse");
  await page.setInputFiles("#log-files", [
    { name: "agent0.log.1.gz", mimeType: "application/gzip", buffer: gzipSync(agent) },
    { name: "mid-logs.zip", mimeType: "application/zip", buffer: zip },
  ]);
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="upgrade-script-not-executable"]');
  await page.click('[data-finding-id="download-failed"] button:has-text("Show all")');
  const where = await page.locator('[data-finding-id="download-failed"] .where code').allTextContents();
  assert.ok(where.includes("agent0.log.1:8"), where.join(" | "));
  assert.ok(where.includes("mid-logs.zip!/logs/agent0.log.0:8"), where.join(" | "));
  await page.close();
});

test("pasted text is analysed", async () => {
  const page = await open("?step=analyse");
  await page.fill("#paste", "Gobbling stderr: /bin/sh -c bin/glide-dist-upgrade.sh start Gobbled: /bin/sh: bin/glide-dist-upgrade.sh: Permission denied\n");
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="upgrade-script-not-executable"]');
  assert.match(await page.textContent(".where code"), /^pasted text:1$/);
  await page.close();
});

test("a clean upgrade says plainly that nothing matched, where it got to and what next", async () => {
  const page = await open("#status=up&step=analyse");
  await page.setInputFiles("#log-files", [
    join(FIXTURES, "healthy-upgrade/agent0.log.0"),
    join(FIXTURES, "healthy-upgrade/wrapper.log"),
  ]);
  await page.click("#analyse");
  await page.waitForSelector("#no-match");
  assert.deepEqual(await ids(page), []);
  assert.match(await page.textContent("#no-match"), /No known failure signature was found/);
  assert.match(await page.textContent("#phase"), /ran through to the end/);
  assert.match(await page.textContent(".next-steps"), /restart/);
  assert.match(await page.textContent("#announcer"), /no known failure signature/);
  await page.close();
});

test("100 000 matching lines do not become 100 000 DOM nodes", async () => {
  const page = await open("?step=analyse");
  const line = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";
  await addFile(page, "agent0.log.1", [[line, 100000]]);
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="auth-failed"]', { timeout: 30000 });
  const card = page.locator('[data-finding-id="auth-failed"]');
  assert.match(await card.locator("h5").first().textContent(), /100000 matches/);
  assert.equal(await card.locator(".evidence-item").count(), 5);
  await card.locator("button", { hasText: "Show all" }).click();
  const shown = await card.locator(".evidence-item").count();
  assert.ok(shown <= 100, `${shown} evidence lines in the DOM`);
  assert.match(await card.textContent(), /99900 more matches are not listed/);
  assert.ok(await page.evaluate(() => document.getElementsByTagName("*").length) < 5000);
  await page.close();
});

test("hostile log lines render as text and run nothing", async () => {
  const page = await open("?step=analyse");
  let dialogs = 0;
  page.on("dialog", async (d) => { dialogs++; await d.dismiss(); });
  const hostile = [
    "<script>window.__pwned = 1; alert(1)</script>",
    "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user '<img src=x onerror=alert(1)>' on the ServiceNow instance",
    "<b>bold</b> <iframe src=javascript:alert(3)></iframe>",
  ].join("\n");
  await page.fill("#paste", hostile);
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="auth-failed"]');
  await page.click('[data-finding-id="auth-failed"] .evidence-item button.link');
  const context = await page.textContent("pre.context");
  assert.ok(context.includes("<script>window.__pwned = 1; alert(1)</script>"), context);
  assert.ok(context.includes("<img src=x onerror=alert(1)>"), context);
  assert.ok(context.includes("<iframe src=javascript:alert(3)></iframe>"), context);
  const injected = await page.evaluate(() => document.querySelectorAll(".results img, .results script, .results iframe, .results b").length);
  assert.equal(injected, 0);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(dialogs, 0);
  await page.close();
});

test("Cancel stops a long analysis at once; answers and files stay; the next run works", async () => {
  const page = await open("#status=down&upgraded=yes&step=analyse");
  await addBigFile(page, 250);
  await page.click("#analyse");
  await page.waitForSelector("#progress-panel");
  // Timed inside the page, from the click: the work stops when the worker is terminated
  // (observed by wrapping Worker.prototype.terminate), and the cancelled state is then shown.
  const stopped = page.evaluate(() => new Promise((done) => {
    let clicked = 0;
    let terminated = 0;
    const terminate = Worker.prototype.terminate;
    Worker.prototype.terminate = function () {
      terminated ||= performance.now();
      return terminate.call(this);
    };
    // On the window, in the capture phase: before any of the app's own listeners.
    const cancel = document.getElementById("cancel");
    window.addEventListener("click", (e) => e.target === cancel && (clicked = performance.now()), { capture: true });
    new MutationObserver((_, observer) => {
      if (clicked && document.getElementById("run-cancelled")) {
        observer.disconnect();
        done({ stop: terminated - clicked, shown: performance.now() - clicked });
      }
    }).observe(document.body, { childList: true, subtree: true, attributes: true });
  }));
  await page.click("#cancel", { timeout: 5000 });
  await page.waitForSelector("#run-cancelled", { timeout: 2000 });
  const { stop, shown } = await stopped;
  assert.ok(stop >= 0 && stop < 100, `the worker was terminated ${stop} ms after the click`);
  // Rendering waits for the browser's next frames, which a loaded headless Chromium can delay.
  assert.ok(shown < 500, `the cancelled state showed ${shown} ms after the click`);
  assert.equal(await page.$("#progress-panel"), null);
  await page.waitForTimeout(1500);
  assert.equal(await page.$(".results"), null, "a cancelled run must not report");
  assert.match(await page.textContent("ul.inputs"), /agent0\.log\.9/);
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.click('ul.inputs button[aria-label="Remove agent0.log.9"]');
  await page.fill("#paste", "AutoUpgrade.3600 SEVERE *** ERROR *** Upgrade Failure: The host machine does not meet the minimum system requirements to upgrade the MID server.\n");
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="host-unsupported"]');
  assert.match(await page.evaluate(() => location.hash), /status=down/);
  await page.close();
});

test("a cause near the start of a large log is shown before the whole log is read", async () => {
  const page = await open("?step=analyse");
  const incident = "10/22/18 17:56:13 (898) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Service snc_mid_prod does not exist\n";
  await addFile(page, "agent0.log.0", [NOISE_MIB, incident, [BUSY_MIB, 300]]);
  await page.click("#analyse");
  await page.waitForSelector('#found-so-far [data-found-id="service-not-found"]');
  assert.ok(await page.$("#progress-panel"), "the run is still going");
  assert.match(await page.textContent("#announcer"), /Found so far/);
  await page.click("#cancel");
  await page.close();
});

test("going back to change an answer updates the results without re-reading the logs", async () => {
  const page = await open("?step=analyse");
  await page.click("#sample");
  await page.waitForSelector("#version-relation");
  assert.match(await page.textContent("#version-relation"), /is behind the instance/);
  await page.click(".stepper-item:nth-child(2) button");
  await page.fill("#instance-version", "glide-zurich-07-01-2025__patch3-10-01-2025_10-05-2025_0900.zip");
  await page.click(".stepper-item:nth-child(3) button");
  await page.check("#status-up");
  await page.click(".stepper-item:nth-child(5) button");
  assert.match(await page.textContent("#version-relation"), /runs the instance's version/);
  assert.deepEqual(await ids(page), ["file-delete-failed", "file-locked"]);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /status=up/);
  assert.match(hash, /instance=glide-zurich-07-01-2025__patch3/);
  await page.reload();
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.click(".stepper-item:nth-child(3) button");
  assert.equal(await page.isChecked("#status-up"), true, "answers come back from the link");
  await page.close();
});

test("Upgrade History rows are parsed and the newest is picked by date, not name", async () => {
  const page = await open("#step=upgraded");
  await page.fill("#history", "To\tFrom\nglide-zurich-07-01-2025__patch10-hotfix1-06-18-2026_06-19-2026_0939.zip\tx\nglide-australia-02-11-2026__patch2-hotfix2-06-18-2026_06-18-2026_2231.zip\tComplete\n");
  assert.equal(await page.locator("table.versions tbody tr").count(), 2);
  assert.match(await page.textContent("tr.newest"), /Australia/);
  assert.equal(await page.inputValue("#instance-version"), "glide-australia-02-11-2026__patch2-hotfix2-06-18-2026_06-18-2026_2231.zip");
  assert.equal(await page.isChecked("#upgraded-yes"), true);
  await page.check("#upgraded-no");
  assert.match(await page.textContent(".branch"), /KB0597571/);
  await page.close();
});

test("no request leaves the page after it has loaded", async () => {
  const page = await web.browser.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(web.url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.waitForLoadState("networkidle");
  const loaded = requests.length;
  await page.click("#sample");
  await page.waitForSelector("[data-finding-id]");
  await page.click("#download-report");
  // Cancelling replaces the worker; the new one must start without fetching anything.
  await addBigFile(page, 250);
  await page.click("#analyse");
  await page.waitForSelector("#progress-panel");
  await page.click("#cancel");
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.click('ul.inputs button[aria-label="Remove agent0.log.9"]');
  await page.click("#analyse");
  await page.waitForSelector("[data-finding-id]");
  await page.waitForTimeout(300);
  const network = requests.slice(loaded).filter((u) => /^https?:/.test(u));
  assert.deepEqual(network, []);
  for (const r of requests) assert.ok(!/^https?:/.test(r) || r.startsWith(web.url), `off-site request ${r}`);
  await page.close();
});

test("axe-core finds no serious or critical problem on any step; every step is screenshotted", async () => {
  // axe-core is injected as an inline script, which the app's CSP rightly refuses: only these
  // accessibility pages bypass CSP (the CSP itself is tested in hosted.test.mjs).
  const page = await open("", { bypassCSP: true });
  const steps = ["symptoms", "upgraded", "status", "logs", "analyse"];
  for (const [i, step] of steps.entries()) {
    await page.click(`.stepper-item:nth-child(${i + 1}) button`);
    if (step === "upgraded") await page.fill("#history", "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip Complete");
    if (step === "status") await page.check("#status-down");
    if (step === "analyse") {
      await page.click("#sample");
      await page.waitForSelector("[data-finding-id]");
    }
    await page.addScriptTag({ path: AXE });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad.map((v) => `${step}: ${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
    await page.screenshot({ path: join(OUT, `step-${i}-${step}.png`), fullPage: true });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("dark theme and a 360 px wide screen", async () => {
  const dark = await open("?step=analyse", { colorScheme: "dark", bypassCSP: true });
  await dark.click("#sample");
  await dark.waitForSelector("[data-finding-id]");
  await dark.addScriptTag({ path: AXE });
  const result = await dark.evaluate(() => window.axe.run(document, { runOnly: ["color-contrast"] }));
  assert.deepEqual(result.violations.map((v) => v.id), []);
  await dark.screenshot({ path: join(OUT, "results-dark.png"), fullPage: true });
  await dark.close();
  const narrow = await open("?step=analyse", { viewport: { width: 360, height: 780 } });
  await narrow.click("#sample");
  await narrow.waitForSelector("[data-finding-id]");
  const overflow = await narrow.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 1, `page scrolls sideways by ${overflow}px at 360 px`);
  await narrow.screenshot({ path: join(OUT, "results-360px.png"), fullPage: true });
  await narrow.close();
});
