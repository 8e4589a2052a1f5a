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

export function launch() {
  return chromium.launch({
    executablePath: process.env.MIDTRIAGE_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
  });
}
