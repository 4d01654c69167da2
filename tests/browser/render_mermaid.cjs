// node render_mermaid.cjs CHARTS.json: renders each Mermaid source with the mermaid package in
// headless chromium; prints [{ok, error, svg}] as JSON, one entry per chart.
"use strict";
const fs = require("fs");
const path = require("path");
const { withPage } = require("./chromium.cjs");

const charts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const bundle = path.join(require.resolve("mermaid/package.json"), "..", "dist", "mermaid.min.js");

withPage(async (page) => {
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: bundle });
  const results = await page.evaluate(async (sources) => {
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
    const out = [];
    for (const [index, source] of sources.entries()) {
      try {
        const { svg } = await window.mermaid.render(`chart${index}`, source);
        out.push({ ok: svg.includes("<svg"), error: null, svg: svg.length });
      } catch (err) {
        out.push({ ok: false, error: String(err && err.message ? err.message : err), svg: 0 });
      }
    }
    return out;
  }, charts);
  return { results };
}).then((report) => process.stdout.write(JSON.stringify(report)), (err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
