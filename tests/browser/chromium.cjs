// Debian's chromium driven by playwright-core: headless, no sandbox, a fresh profile, no
// background network. Every request that leaves file:// or about: is refused and recorded.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function withPage(work) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "factory-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS,
  });
  const seen = { console: [], pageErrors: [], blocked: [] };
  try {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("about:") || url.startsWith("data:")) {
        return route.continue();
      }
      seen.blocked.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    page.on("console", (msg) => seen.console.push({ type: msg.type(), text: msg.text() }));
    page.on("pageerror", (err) => seen.pageErrors.push(String(err)));
    return { ...(await work(page)), ...seen };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

module.exports = { withPage };
