// The set-up most end-to-end test files share: dist/ served on 127.0.0.1 and one headless
// Chromium, started before the file's tests and stopped after them.
import { before, after } from "node:test";
import { serve } from "./server.mjs";
import { launch } from "./browser.mjs";

/**
 * Registers the hooks; the returned object gets `url` (ending in "/") and `browser` once the
 * tests run. `options` go to serve() (prefix, rewrite, cors).
 */
export function site(options = {}) {
  const s = {};
  before(async () => {
    const { server, url } = await serve(process.env.MIDTRIAGE_DIST || "dist", 0, options);
    Object.assign(s, { server, url, browser: await launch() });
  });
  after(async () => {
    await s.browser?.close();
    s.server?.close();
  });
  return s;
}
