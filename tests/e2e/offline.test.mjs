// The offline single file (cargo xtask bundle) opened from disk: no server, no request but
// the file itself, its CSP in force and never violated, a full analysis, and an About panel
// showing the file's own SHA-256, equal to the one written beside it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { launch } from "./browser.mjs";

const DIST = resolve(process.env.MIDTRIAGE_DIST || "dist");
const FILE = join(DIST, "midtriage.html");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("opened from disk it analyses an incident with no request besides the file itself", async () => {
  const page = await browser.newPage();
  const requests = [];
  const violations = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => /Content.Security.Policy|Refused/i.test(m.text()) && violations.push(m.text()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const url = pathToFileURL(FILE).href;
  await page.goto(url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]');
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(csp, /default-src 'none'; script-src 'sha256-[^']+' 'wasm-unsafe-eval'; worker-src blob:; style-src 'sha256-[^']+'/);
  // A user's rules file works from disk too (it is read inside the worker).
  const out = join(import.meta.dirname, "output", "offline");
  await mkdir(out, { recursive: true });
  await writeFile(
    join(out, "site.toml"),
    `[[rule]]\nid = "soap-401"\ntitle = "SOAP 401"\nseverity = "warning"\nkb = "KB0726937"\nstep = 4\nsummary = "s"\nresolution = ["r"]\n[[rule.when]]\nany = ["Status code=401"]\n[rule.samples]\nfire = ["SOAP Response: Status code=401, Response body="]\nquiet = ["Status code=200"]\n`,
  );
  await page.setInputFiles("#log-files", [join(FIXTURES, "field-guide/fg41-kb0690910.log"), join(FIXTURES, "field-guide/fg08-kb0726937.log"), join(out, "site.toml")]);
  await page.click("#analyse");
  await page.waitForSelector("[data-finding-id]");
  const ids = await page.$$eval("[data-finding-id]", (els) => els.map((e) => e.dataset.findingId));
  assert.deepEqual(ids.sort(), ["auth-failed", "soap-401", "upgrade-script-not-executable"]);
  // A second run (the bundled sample) still needs nothing but the file and in-page blob: objects.
  await page.click("#sample");
  await page.waitForSelector('[data-finding-id="file-locked"]');
  const outside = requests.filter((r) => !r.startsWith("blob:") && !r.startsWith(url));
  assert.deepEqual(outside, []);
  assert.equal(requests.filter((r) => r.startsWith(url)).length, 1, requests.join("\n"));
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(violations, []);
  await page.close();
});

test("the About panel shows the file's SHA-256, as written beside it", async () => {
  const bytes = await readFile(FILE);
  const expected = createHash("sha256").update(bytes).digest("hex");
  assert.equal((await readFile(FILE + ".sha256", "utf8")).trim(), `${expected}  midtriage.html`);
  const page = await browser.newPage();
  await page.goto(pathToFileURL(FILE).href);
  await page.waitForSelector('[data-worker-ready="true"]');
  await page.click("#about summary");
  await page.waitForSelector("#about-sha256");
  assert.equal(await page.textContent("#about-sha256"), expected);
  assert.equal(await page.textContent("#about-mode"), "offline single file");
  await page.close();
});
