// A failure of the app itself (a panic in the page) shows a plain panel that says the answers
// are kept and starts again from them. The crash is requested by a test-only address parameter.
import { test } from "node:test";
import assert from "node:assert/strict";
import { site } from "./site.mjs";

const web = site();

test("an app crash shows a panel that starts again with the answers", async () => {
  const page = await web.browser.newPage();
  await page.goto(web.url + "?test-crash=ui#status=down&upgraded=yes&step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.fill("#paste", "some log line\n");
  await page.click("#analyse");
  const panel = await page.waitForSelector("#app-failed", { timeout: 10000 });
  assert.match(await panel.textContent(), /internal error; your answers are kept/);
  assert.doesNotMatch(await panel.textContent(), /some log line/);
  const href = await page.getAttribute("#app-restart", "href");
  assert.match(href, /recovered=1#.*status=down/);
  await page.click("#app-restart");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  assert.equal(await page.$("#app-failed"), null);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /status=down/);
  assert.match(hash, /upgraded=yes/);
  assert.ok(await page.$("#log-files"), "back on the analysis step");
  await page.close();
});
