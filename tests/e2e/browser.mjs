// Launches Debian's Chromium through playwright-core (which never downloads a browser), with
// the flags this machine needs: no sandbox as root, and no background network traffic.
import { chromium } from "playwright-core";

export const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// MIDTRIAGE_CHROMIUM_FLAGS adds flags, space-separated (PROFILES.md uses it for V8's profiler).
export function launch() {
  const extra = (process.env.MIDTRIAGE_CHROMIUM_FLAGS || "").split(" ").filter(Boolean);
  return chromium.launch({
    executablePath: process.env.MIDTRIAGE_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: FLAGS.concat(extra),
  });
}
