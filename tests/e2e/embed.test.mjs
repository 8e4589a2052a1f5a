// midtriage inside a KB portal, with the portal on another origin: the iframe mode with its
// postMessage API (handshake, pre-filled answers, summary without log text, hostile messages
// ignored, the parent's origin checked), and the mount mode (script tag + div) whose CSS does
// not touch the portal. Both under their CSP, and nothing requested after load.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { serve } from "./server.mjs";
import { launch } from "./browser.mjs";

const DIST = resolve(process.env.MIDTRIAGE_DIST || "dist");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const PLACEHOLDER = "https://midtriage.example.com";
let browser, app, portal, stranger;

const origin = (url) => new URL(url).origin;

/** Elements inside the app that carry `hidden` but still take up space on screen. */
const visibleHidden = () =>
  [...document.querySelectorAll(".midtriage [hidden], .midtriage [hidden] *")]
    .filter((e) => getComputedStyle(e).display !== "none" && e.getClientRects().length > 0)
    .map((e) => e.outerHTML.slice(0, 80));

before(async () => {
  browser = await launch();
  await startApp();
  // The portal is the only origin the host lists; a stranger serves the same page elsewhere.
  portal = await serve(join(DIST, "examples"), 0, { rewrite: (_, t) => t.replaceAll(PLACEHOLDER, origin(app.url)) });
  stranger = await serve(join(DIST, "examples"), 0, { rewrite: (_, t) => t.replaceAll(PLACEHOLDER, origin(app.url)) });
});

after(async () => {
  await browser?.close();
  for (const s of [app, portal, stranger]) s?.server.close();
});

async function startApp() {
  if (app) return;
  app = { url: "" };
  const listed = () => origin(portal.url);
  app = await serve(DIST, 0, {
    cors: true,
    rewrite: (path, text) => (path === "/index.html" || path === "/" ? text.replace('name="midtriage-embed-origins" content=""', `name="midtriage-embed-origins" content="${listed()}"`) : text),
  });
}

/** A page recording CSP violations in every frame, console errors and requests. */
async function watched() {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.requests = [];
  page.violations = [];
  page.on("request", (r) => page.requests.push(r.url()));
  page.on("console", (m) => /Content.Security.Policy|Refused to/i.test(m.text()) && page.violations.push(m.text()));
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

test("iframe: handshake, pre-filled answers, analysis, summary without log text, height", async () => {
  await startApp();
  const page = await watched();
  await page.goto(portal.url + "iframe.html");
  await page.waitForFunction(() => document.getElementById("events").textContent.includes("midtriage:ready"));
  const frameEl = await page.$("#midtriage-frame");
  const frame = await frameEl.contentFrame();
  await frame.waitForSelector('[data-worker-ready="true"]');
  // Compact: no header or footer inside the iframe.
  assert.equal(await frame.$(".masthead"), null);
  assert.equal(await frame.$("footer"), null);
  assert.deepEqual(await frame.evaluate(visibleHidden), [], "hidden elements stay hidden in the iframe");
  // The pre-filled answers arrived.
  await frame.waitForFunction(() => location.hash.includes("status=down"));
  await frame.click(".stepper-item:nth-child(2) button");
  assert.equal(await frame.inputValue("#instance-version"), "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip");
  await frame.click(".stepper-item:nth-child(5) button");
  const loaded = page.requests.length;
  await frame.setInputFiles("#log-files", [join(FIXTURES, "field-guide/fg36-kb0565184.log")]);
  await frame.click("#analyse");
  await frame.waitForSelector('[data-finding-id="download-failed"]');
  // The iframe grows with its content.
  await page.waitForFunction(() => parseInt(document.getElementById("midtriage-frame").style.height) > 700);
  await page.click("#ask-summary");
  await page.waitForFunction(() => document.getElementById("summary").textContent.includes("midtriage:summary"));
  const summary = JSON.parse(await page.textContent("#summary"));
  assert.deepEqual(summary, {
    type: "midtriage:summary",
    id: "ticket",
    state: "done",
    findings: [{ id: "download-failed", title: "The MID Server could not download the upgrade packages", severity: "error" }],
  });
  assert.ok(!JSON.stringify(summary).includes("install server"));
  const network = page.requests.slice(loaded).filter((u) => /^https?:/.test(u));
  assert.deepEqual(network, []);
  for (const f of page.frames()) assert.deepEqual(await f.evaluate(() => window.__csp), [], f.url());
  assert.deepEqual(page.violations, []);
  await page.close();
});

test("iframe: hostile or malformed messages are ignored", async () => {
  await startApp();
  const page = await watched();
  await page.goto(portal.url + "iframe.html");
  await page.waitForFunction(() => document.getElementById("events").textContent.includes("midtriage:ready"));
  const frame = await (await page.$("#midtriage-frame")).contentFrame();
  await frame.waitForFunction(() => location.hash.includes("status=down"));
  const target = origin(app.url);
  await page.evaluate((target) => {
    const w = document.getElementById("midtriage-frame").contentWindow;
    w.postMessage({ type: "midtriage:prefill", status: "up", injected: "<img src=x onerror=alert(1)>" }, target);
    w.postMessage({ type: "midtriage:prefill", status: "up", symptoms: ["down", "<script>"] }, target);
    w.postMessage({ type: "midtriage:delete-everything" }, target);
    w.postMessage("midtriage:prefill status=up", target);
    w.postMessage({ type: "midtriage:prefill", status: ["up"] }, target);
  }, target);
  await page.waitForTimeout(300);
  assert.match(await frame.evaluate(() => location.hash), /status=down/, "the answers were not changed");
  // A page on an origin that is not listed gets no handshake and cannot drive the app.
  const other = await watched();
  await other.goto(stranger.url + "iframe.html");
  const otherFrame = await (await other.$("#midtriage-frame")).contentFrame();
  await otherFrame.waitForSelector('[data-worker-ready="true"]');
  await other.evaluate((target) => {
    const w = document.getElementById("midtriage-frame").contentWindow;
    w.postMessage({ type: "midtriage:prefill", status: "upgrading" }, target);
    w.postMessage({ type: "midtriage:summary-request", id: "steal" }, target);
  }, target);
  await other.waitForTimeout(500);
  assert.equal(await other.textContent("#events"), "");
  assert.equal(await other.textContent("#summary"), "");
  assert.doesNotMatch(await otherFrame.evaluate(() => location.hash), /status=upgrading/);
  await other.close();
  await page.close();
});

test("mount: the app renders inside the div only, and the portal's styles are unchanged", async () => {
  await startApp();
  const probe = () => {
    const pick = (sel) => {
      const cs = getComputedStyle(document.querySelector(sel));
      return ["color", "font-family", "margin-top", "line-height", "background-color", "font-size"].map((p) => cs.getPropertyValue(p)).join("|");
    };
    return ["#portal-text", ".portal-nav a", "h1", "body", ".portal-footnote"].map(pick);
  };
  // The control: the same portal page with midtriage's script blocked.
  const control = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await control.route("**/mount.js", (r) => r.abort());
  await control.goto(portal.url + "mount.html", { waitUntil: "load" });
  const before = await control.evaluate(probe);
  await control.close();
  const page = await watched();
  await page.goto(portal.url + "mount.html");
  await page.waitForSelector('#midtriage [data-worker-ready="true"]');
  const afterStyles = await page.evaluate(probe);
  assert.ok(before && before.length === 5);
  assert.deepEqual(afterStyles, before);
  assert.equal(await page.evaluate(() => document.querySelectorAll(".midtriage").length), 1);
  assert.equal(await page.evaluate(() => document.querySelector(".midtriage").parentElement.id), "midtriage");
  assert.deepEqual(await page.evaluate(() => [...document.body.children].map((e) => e.tagName)), ["NAV", "ARTICLE", "SCRIPT"]);
  // The portal's element styles do not leak into the app either.
  const appP = await page.evaluate(() => getComputedStyle(document.querySelector(".midtriage main p")).getPropertyValue("font-family"));
  assert.doesNotMatch(appP, /Georgia/);
  assert.deepEqual(await page.evaluate(visibleHidden), [], "hidden elements stay hidden in the mounted app");
  const loaded = page.requests.length;
  await page.click("#midtriage .stepper-item:nth-child(5) button");
  await page.click("#sample");
  await page.waitForSelector('[data-finding-id="file-locked"]');
  await page.setInputFiles("#log-files", [join(FIXTURES, "field-guide/fg41-kb0690910.log")]);
  await page.click("#analyse");
  await page.waitForSelector('[data-finding-id="upgrade-script-not-executable"]');
  assert.deepEqual(page.requests.slice(loaded).filter((u) => /^https?:/.test(u)), []);
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  assert.deepEqual(page.violations, []);
  await page.close();
});
