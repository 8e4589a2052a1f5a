// A crash in the analysis worker shows a recoverable error panel; the answers and files stay,
// and the next run works in a fresh worker. The crash is requested by a test-only address
// parameter (`test-crash=worker`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { site } from "./site.mjs";

const web = site();
const LINE = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";

test("a worker crash keeps the answers and files, and Analyse works again", async () => {
  const page = await web.browser.newPage();
  await page.goto(web.url + "?test-crash=worker#status=down&upgraded=yes&step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.fill("#paste", LINE);
  const hash = await page.evaluate(() => location.hash);
  await page.click("#analyse");
  const panel = await page.waitForSelector("#run-failed", { timeout: 10000 });
  assert.match(await panel.textContent(), /The analysis failed; your answers are kept/);
  assert.equal(await page.evaluate(() => location.hash), hash);
  assert.equal(await page.inputValue("#paste"), LINE);
  // The next run, without the crash request, goes to a fresh worker.
  await page.evaluate(() => history.replaceState(null, "", location.pathname + location.hash));
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="auth-failed"]', { timeout: 20000 });
  assert.match(await page.evaluate(() => location.hash), /status=down/);
  await page.close();
});
