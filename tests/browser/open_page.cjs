// node open_page.cjs PAGE.html SHOT.png: opens a file in headless chromium, waits for it to
// settle, takes a full-page screenshot; prints console messages, page errors, refused requests.
"use strict";
const path = require("path");
const { withPage } = require("./chromium.cjs");

const [file, shot] = process.argv.slice(2);

withPage(async (page) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("file://" + path.resolve(file), { waitUntil: "load" });
  await page.waitForTimeout(200);
  await page.screenshot({ path: shot, fullPage: true });
  const title = await page.title();
  const svgs = await page.locator("svg").count();
  const text = await page.evaluate(() => document.body.innerText);
  return { title, svgs, text };
}).then((report) => process.stdout.write(JSON.stringify(report)), (err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
