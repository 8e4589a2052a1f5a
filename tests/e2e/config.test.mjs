// config.xml in the browser: what it says is shown and tied to the findings, hostile XML is
// reported without being expanded, and no secret ever reaches the page, the report or the
// console.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { site } from "./site.mjs";

const DIR = join(import.meta.dirname, "output", "config");
const web = site();

const SECRETS = ["Sup3rSecretPw", "encrypted:pBMG7zSYCLkGD2fJ6oXEPg", "Pr0xyPw", "UpgradePw", "VaultToken"];

const CONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<parameters>
    <parameter name="url" value="https://acme.service-now.com/"/>
    <parameter name="mid.instance.username" value="svc_mid"/>
    <parameter name="mid.instance.password" secure="true" value="encrypted:pBMG7zSYCLkGD2fJ6oXEPg=="/>
    <parameter name="mid.instance.username" value="svc_mid"/>
    <parameter name="mid.instance.password" value="Sup3rSecretPw" encrypt="true"/>
    <parameter name="mid.proxy.host" value="proxy.acme.local"/>
    <parameter name="mid.proxy.port" value="3128"/>
    <parameter name="mid.proxy.password" value="Pr0xyPw"/>
    <parameter name="glide.mid.autoupgrade.proxy_password" value="UpgradePw"/>
    <parameter name="vault.token" value="VaultToken"/>
</parameters>
`;

const LOG = "02/18/19 19:25:14 (298) StartupSequencer WARNING *** WARNING *** Could not authenticate user 'svc_mid' on the ServiceNow instance\n";

const BOMB = join(import.meta.dirname, "..", "fixtures", "hostile", "entity-bomb-config.xml");

before(async () => {
  await mkdir(DIR, { recursive: true });
});

async function analyse(files) {
  const page = await web.browser.newPage({ acceptDownloads: true });
  page.messages = [];
  page.on("console", (m) => page.messages.push(m.text()));
  page.on("worker", (w) => w.on("console", (m) => page.messages.push(m.text())));
  await page.goto(web.url + "?step=analyse");
  await page.waitForSelector('[data-worker-ready="true"]', { timeout: 20000 });
  await page.setInputFiles("#log-files", files);
  await page.click("#analyse");
  await page.waitForSelector(".results", { timeout: 30000 });
  return page;
}

/** The report as downloaded, with redaction on or off. */
async function report(page, redacted) {
  if ((await page.isChecked("#redact")) !== redacted) await page.click("#redact");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-report")]);
  return readFile(await download.path(), "utf8");
}

test("config.xml is summarised, tied to the auth failure, and no secret leaves it", async () => {
  const config = join(DIR, "config.xml");
  const log = join(DIR, "agent0.log.0");
  await writeFile(config, CONFIG);
  await writeFile(log, LOG);
  const page = await analyse([log, config]);
  const card = page.locator('[data-config-file="config.xml"]');
  const summary = await card.textContent();
  assert.match(summary, /acme\.service-now\.com \(HTTPS\)/);
  assert.match(summary, /svc_mid/);
  assert.match(summary, /set in clear text, marked to be encrypted/);
  assert.match(summary, /proxy\.acme\.local:3128/);
  const next = await page.textContent(".next-steps");
  assert.match(next, /mid\.instance\.password \(lines 5 and 7\) and mid\.instance\.username \(lines 4 and 6\)/);
  assert.match(next, /known cause of this authentication failure \(KB0726937\)/);
  assert.ok(await page.$('[data-finding-id="auth-failed"]'));

  const html = await page.content();
  const plain = await report(page, false);
  const masked = await report(page, true);
  assert.match(plain, /svc_mid/);
  assert.doesNotMatch(masked, /svc_mid|acme\.service-now\.com/);
  for (const secret of SECRETS) {
    assert.ok(!html.includes(secret), `${secret} is in the page`);
    assert.ok(!plain.includes(secret), `${secret} is in the report`);
    assert.ok(!masked.includes(secret), `${secret} is in the redacted report`);
    assert.ok(!page.messages.some((m) => m.includes(secret)), `${secret} is in the console`);
  }
  await page.close();
});

test("a config.xml with a DTD, an entity bomb and an external entity is reported, not expanded", async () => {
  const page = await analyse([BOMB]);
  const next = await page.textContent(".next-steps");
  assert.match(next, /declares a DTD; midtriage ignores it/);
  assert.match(next, /line 10 \(name\): its value uses the entity &lol9;, which midtriage does not expand/);
  assert.match(next, /entity &xxe;/);
  assert.match(await page.textContent('[data-config-file="entity-bomb-config.xml"]'), /ok\.service-now\.com/);
  const html = await page.content();
  assert.ok(!html.includes("lollol") && !html.includes("root:x:"), "an entity was expanded");
  assert.ok(!html.includes("SecretTail"), "a secret value is in the page");
  await page.close();
});
