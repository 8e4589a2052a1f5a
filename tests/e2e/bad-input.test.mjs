// The bad-input matrix in the browser, in one run (the CLI's twin is
// crates/cli/tests/bad_input.rs): every bad input gets a message naming it, the good inputs are
// still analysed, and the answers already given stay. Also: random text pasted as Upgrade
// History, a file deleted after it was chosen, and a file that changes while it is being read.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile, copyFile, truncate, rm, open as openFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync, deflateRawSync } from "node:zlib";
import { createRequire } from "node:module";
import { site } from "./site.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

const DIR = join(import.meta.dirname, "output", "bad-input");
const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const web = site();

const LINE = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid' on the ServiceNow instance\n";
const MARKER = "01/01/26 00:00:00 (1) Main site-specific marker 42";
const NOISE = "11/25/25 02:00:00 (000) ECCSender.1 Sending ecc_queue.8d1f3a2c1b9e4e50a2f6c7b8d9e0a1b2.xml to the instance\n";

/** A ZIP of stored or deflated entries (local headers only, as the engine streams them). */
function zip(entries) {
  const parts = [];
  for (const [name, data, deflated] of entries) {
    const body = deflated ? deflateRawSync(data, { level: 9 }) : data;
    const head = Buffer.alloc(30);
    head.write("PK\x03\x04", 0, "latin1");
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(deflated ? 8 : 0, 8);
    head.writeUInt32LE(body.length, 18);
    head.writeUInt32LE(data.length, 22);
    head.writeUInt16LE(Buffer.byteLength(name), 26);
    parts.push(head, Buffer.from(name), body);
  }
  parts.push(Buffer.from("PK\x01\x02", "latin1"));
  return Buffer.concat(parts);
}

/** A rules file with one rule; `when` is the body of its [[rule.when]] table. */
const rules = (id, when, fire) =>
  `[[rule]]\nid = "${id}"\ntitle = "t"\nseverity = "error"\nkb = "KB0596459"\nstep = 4\nsummary = "s"\nresolution = ["r"]\n[[rule.when]]\n${when}\n[rule.samples]\nfire = [${JSON.stringify(fire)}]\nquiet = ["nothing"]\n`;

/** Writes every input; returns their paths in the order they are chosen. */
async function inputs() {
  await rm(DIR, { recursive: true, force: true });
  await mkdir(DIR, { recursive: true });
  const files = [];
  const put = async (name, bytes) => {
    await writeFile(join(DIR, name), bytes);
    files.push(join(DIR, name));
  };
  // First, so that it is being read when the test changes it.
  const changing = await openFile(join(DIR, "changing.log"), "w");
  await changing.write(LINE);
  const block = Buffer.from(NOISE.repeat(Math.ceil((1 << 20) / NOISE.length)));
  for (let i = 0; i < 768; i++) await changing.write(block);
  await changing.close();
  files.push(join(DIR, "changing.log"));
  await put("empty.log", "");
  await put("picture.log", Buffer.from("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\0", "latin1"));
  await put("program.log", Buffer.concat([Buffer.from("MZ\x90\0\x03\0\0\0", "latin1"), Buffer.alloc(512)]));
  await put("invalid-utf8.log", Buffer.concat([Buffer.from("caf\xe9 \xff ", "latin1"), Buffer.from(LINE)]));
  await put("utf16-nobom.log", Buffer.from(LINE.trimEnd(), "utf16le"));
  await put("mixed.log", `a\r\nb\rc\n${LINE.trimEnd()}\r\nd\n`);
  let gz = "";
  for (let i = 0; i < 2000; i++) gz += i % 200 === 0 ? `${LINE.trimEnd()} (${i})\n` : `11/25/25 02:00:00 (${i}) ECCSender.1 Sending ecc_queue.${i}.xml\n`;
  const gzipped = gzipSync(gz);
  await put("truncated.log.gz", gzipped.subarray(0, gzipped.length >> 1));
  const many = [];
  for (let i = 0; i < 10000; i++) many.push([`logs/agent${i}.log`, Buffer.from("x\n"), false]);
  await put("many.zip", zip(many));
  const bomb = Buffer.from(NOISE.repeat(Math.floor((64 << 20) / NOISE.length)));
  await put("bomb.zip", zip([["agent0.log.0", bomb, true]]));
  await put("nested.zip", zip([["inner.zip", zip([["agent0.log.0", Buffer.from(LINE), false]]), false]]));
  const long = Buffer.alloc((50 << 20) + 64, "x");
  long.write(" Could not authenticate user 'mid' on the ServiceNow instance", 50 << 20);
  await put("one-line.log", long);
  await put("huge.log", "");
  await truncate(join(DIR, "huge.log"), 2 ** 31);
  await put("vanishing.log", LINE);
  await put("good.log", LINE + MARKER + "\n");
  await copyFile(join(FIXTURES, "hostile", "entity-bomb-config.xml"), join(DIR, "bomb-config.xml"));
  files.push(join(DIR, "bomb-config.xml"));
  await put(
    "malformed-config.xml",
    '<?xml version="1.0"?>\n<parameters>\n<parameter name="url" value="https://acme.service-now.com/"/>\n<parameter name="mid.instance.password" value="Hunter2Pw"\n<parameter name="x" value="y"/>\n',
  );
  await put("site.toml", rules("site-marker", 'any = ["site-specific marker"]', MARKER));
  await put("bad-regex.toml", rules("bad-regex", "any = [\"x\", { regex = '(unclosed' }]", "x"));
  await put("unknown-key.toml", rules("unknown-key", 'any = ["x"]\ncolour = "red"', "x"));
  await put("huge-regex.toml", rules("huge-regex", `any = [{ regex = '${"a?".repeat(500000)}' }]`, "x"));
  return files;
}

const RANDOM_HISTORY = "To\tState\n<img src=x onerror=alert(1)>\u0001\u0007 glide-nothing-here ☃ \uFFFD 12-31-2025 .zip\n%00%ff ]]>";

before(async () => {
  await mkdir(DIR, { recursive: true });
});

test("every bad input is named, the good ones are analysed, and the answers stay", { timeout: 240000 }, async () => {
  const files = await inputs();
  // Only so that axe-core can be injected at the end (the CSP is tested in hosted.test.mjs).
  const page = await web.browser.newPage({ bypassCSP: true });
  // One worker reads the files in order, so the first cause found comes from changing.log's
  // first chunk, and the file is changed while it is being read (with two, another file's
  // cause could show first, and the change come before changing.log is read at all).
  await page.goto(web.url + "?workers=1#status=down&step=upgraded");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  // Step 1 with random text: said plainly, nothing rendered from it, the answer still given.
  await page.fill("#history", RANDOM_HISTORY);
  assert.match(await page.textContent(".notice"), /No version value was found in that text/);
  assert.equal(await page.$("table.versions"), null);
  await page.check("#upgraded-yes");
  await page.fill("#instance-version", "not a version <b>at all</b>");
  await page.click(".stepper-item:nth-child(5) button");

  await page.setInputFiles("#log-files", files);
  assert.match(await page.locator("ul.inputs li", { hasText: "site.toml" }).textContent(), /rules file/);
  assert.doesNotMatch(await page.locator("ul.inputs li", { hasText: "good.log" }).textContent(), /rules file/);
  await rm(join(DIR, "vanishing.log"));
  await page.click("#analyse");
  // changing.log's first chunk has been analysed: change the file under the reader.
  await page.waitForSelector('#found-so-far [data-found-id="auth-failed"]', { timeout: 30000 });
  await truncate(join(DIR, "changing.log"), 1 << 20);
  await page.waitForSelector(".results", { timeout: 180000 });

  const problems = await page.locator("#file-problems li").allTextContents();
  const expected = [
    /^changing\.log: it changed while it was being read: \d+ of its \d+ bytes were read and analysed; choose it again/,
    /^empty\.log: the file is empty$/,
    /^picture\.log: not a text log: the file holds a PNG image$/,
    /^program\.log: not a text log: the file holds a Windows executable/,
    /^truncated\.log\.gz: the gzip data ends early/,
    /^many\.zip: only its first 500 log files were analysed; 9500 more were not/,
    /^bomb\.zip: refused: it expands more than 200 times/,
    /^nested\.zip: the ZIP archive holds no log files .*archives inside it are not opened \(inner\.zip\)/,
    /^huge\.log: not a text log/,
    /^vanishing\.log: it could not be read past byte 0 \(the browser said: .+\); what came before was analysed; it may have been moved, deleted or changed since it was chosen/,
    /^bad-regex\.toml: rule `bad-regex`: field `when\[0\]\.any\[1\]`: invalid regex/,
    /^bad-regex\.toml: these rules were not used \(1 problem\)/,
    /^unknown-key\.toml: rule `unknown-key`: field `when\[0\]\.colour`: unknown key/,
    /^unknown-key\.toml: these rules were not used \(1 problem\)/,
    /^huge-regex\.toml: rule `huge-regex`: field `when\[0\]\.any\[0\]`: the regex is too large/,
    /^huge-regex\.toml: these rules were not used \(1 problem\)/,
    /^instance version: `not a version <b>at all<\/b>` is not a ServiceNow version/,
  ];
  for (const want of expected) {
    assert.ok(problems.some((p) => want.test(p)), `${want} not in:\n${problems.join("\n")}`);
  }
  assert.equal(problems.length, expected.length, problems.join("\n"));

  // The good inputs were analysed, with the right lines, and the user's good rules file used.
  await page.click('[data-finding-id="auth-failed"] button:has-text("Show all")').catch(() => {});
  const where = (await page.locator('[data-finding-id="auth-failed"] .where code').allTextContents()).join(" ");
  for (const at of ["changing.log:1", "good.log:1", "mixed.log:4", "utf16-nobom.log:1", "invalid-utf8.log:1", "one-line.log:1", "truncated.log:1"]) {
    assert.ok(where.includes(at), `${at} not in ${where}`);
  }
  assert.ok(await page.$('[data-finding-id="site-marker"]'), "the rule from site.toml fired");
  const lines = (name) => page.getAttribute(`.files-read [data-file="${name}"]`, "data-lines");
  assert.equal(await lines("mixed.log"), "5");
  assert.equal(await page.getAttribute('.files-read [data-rules-file="site.toml"]', "data-used"), "true");
  assert.equal(await page.getAttribute('.files-read [data-rules-file="bad-regex.toml"]', "data-used"), "false");
  assert.match(await page.textContent('[data-config-file="bomb-config.xml"]'), /ok\.service-now\.com/);
  assert.match(await page.textContent('[data-config-file="malformed-config.xml"]'), /acme\.service-now\.com/);
  assert.match(await page.textContent(".next-steps"), /malformed-config\.xml line \d/);
  const html = await page.content();
  for (const never of ["Hunter2Pw", "lollollol", "SecretTail", "<img src=x"]) {
    assert.ok(!html.includes(never), `${never} is in the page`);
  }

  // The problems and the rules files read well to assistive technology, too.
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(", ")}`), []);
  await page.screenshot({ path: join(DIR, "results-with-problems.png"), fullPage: true });

  // The answers are all still there.
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /status=down/);
  assert.match(hash, /upgraded=yes/);
  await page.click(".stepper-item:nth-child(2) button");
  assert.equal(await page.inputValue("#history"), RANDOM_HISTORY);
  assert.equal(await page.isChecked("#upgraded-yes"), true);
  assert.equal(await page.inputValue("#instance-version"), "not a version <b>at all</b>");
  await page.close();
});
