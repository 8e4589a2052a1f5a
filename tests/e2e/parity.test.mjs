// The browser finds exactly what the CLI finds on the same files: same causes in the same order,
// same match counts, same evidence at the same file:line, with incidents placed across the
// worker's 8 MiB chunk boundaries, an empty file between two logs, a real fixture, and a ZIP
// written by Python's zipfile whose two parts (its big log, then the rest) the pool reads as
// tasks of their own; with one analysis worker and with a pool of three, each taking one task
// at a time.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile, copyFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { basename, join, resolve } from "node:path";
import { site } from "./site.mjs";

const CLI = process.env.MIDTRIAGE_CLI || "target/debug/midtriage";
const DIR = join(import.meta.dirname, "output", "parity");
const CHUNK = 8 << 20;
const web = site();

before(async () => {
  await mkdir(DIR, { recursive: true });
});

/** About 17 MiB of agent log (ASCII) with an incident cut by each chunk boundary. */
function bigLog() {
  const noise = (n) => `11/25/25 02:${String(n % 60).padStart(2, "0")}:00 (${n % 1000}) ECCSender.1 Sending ecc_queue.${n}.xml to the instance\n`;
  const cut = [
    [CHUNK, "11/25/25 03:00:00 (101) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'mid.user' on the ServiceNow instance\n"],
    [2 * CHUNK, "11/25/25 03:00:01 (102) AutoUpgrade.3600 SEVERE *** ERROR *** Aborting MID Server upgrade due to pre-upgrade check failure: Unable to download updates from install server\n" +
      "java.net.UnknownHostException: install.service-now.com\n\tat java.base/java.net.InetAddress.getAllByName(InetAddress.java:1367)\n"],
  ];
  let text = "";
  let n = 0;
  for (const [boundary, incident] of cut) {
    const start = boundary - Math.floor(incident.length / 2);
    while (text.length + 200 < start) text += noise(n++);
    text += "x".repeat(start - text.length - 1) + "\n" + incident;
  }
  while (text.length < 2 * CHUNK + (1 << 20)) text += noise(n++);
  return text;
}

test("the browser and the CLI agree on files cut into chunks", async () => {
  const files = [join(DIR, "agent0.log.1"), join(DIR, "empty.log"), join(DIR, "agent0.log.0"), join(DIR, "bundle.zip")];
  await writeFile(files[0], bigLog());
  await writeFile(files[1], "");
  const fixture = (name) => join(import.meta.dirname, "..", "fixtures", "field-guide", name);
  await copyFile(fixture("fg07-kb0725881.log"), files[2]);
  // A support bundle: the 17 MiB log fills the first part (16 MiB of logs a part), a picture
  // and a wrapper log make the second.
  const zipped = [
    ["logs/agent0.log.2", files[0]],
    ["logs/screenshot.png", fixture("fg07-kb0725881.log")],
    ["logs/wrapper.log", fixture("fg30-kb0779852.log")],
  ];
  execFileSync("python3", ["-c", `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name, path in zip(sys.argv[2::2], sys.argv[3::2]):
        z.write(path, name)
`, files[3], ...zipped.flat()]);
  // Run where the files are, so that the CLI names them as the browser does.
  const names = files.map((f) => basename(f));
  const native = JSON.parse(
    execFileSync(resolve(CLI), ["analyze", "--format", "json", ...names], { cwd: DIR, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
  );
  assert.ok(native.findings.length >= 2, JSON.stringify(native.findings.map((f) => f.id)));

  const expected = native.findings.map((f) => ({
    id: f.id,
    matches: f.matches,
    evidence: f.evidence.map((e) => `${e.file}:${e.line}`),
  }));
  // Both incidents cut by a boundary are found.
  for (const id of ["auth-failed", "download-failed"]) {
    assert.ok(expected.some((f) => f.id === id), `${id} in ${JSON.stringify(expected)}`);
  }
  for (const workers of [1, 3]) {
    const page = await web.browser.newPage();
    await page.goto(web.url + `?step=analyse&workers=${workers}`);
    await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
    assert.equal(await page.$eval("[data-workers]", (e) => e.dataset.workers), String(workers));
    await page.setInputFiles("#log-files", files);
    await page.click("#analyse");
    await page.waitForSelector(".results", { timeout: 60000 });
    for (const button of await page.$$(".finding button.link[aria-expanded=false]")) {
      if ((await button.textContent()).startsWith("Show all")) await button.click();
    }
    const shown = await page.$$eval("[data-finding-id]", (cards) =>
      cards.map((c) => ({
        id: c.dataset.findingId,
        matches: Number(c.querySelector("h5").textContent.match(/(\d+) match/)[1]),
        evidence: [...c.querySelectorAll(".evidence-item .where code")].map((e) => e.textContent),
      })),
    );
    assert.deepEqual(shown, expected, `${workers} worker(s)`);
    // One worker reads the archive whole; a pool reads its two parts as two tasks.
    assert.equal(await page.$eval(".results", (e) => e.dataset.tasks), String(workers === 1 ? 4 : 5));
    const lines = await page.$$eval(".files-read li", (items) => items.map((li) => [li.dataset.file, Number(li.dataset.lines)]));
    assert.deepEqual(lines, native.files.filter((f) => !f.error).map((f) => [f.name, f.lines]));
    await page.close();
  }
});
