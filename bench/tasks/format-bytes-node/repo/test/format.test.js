"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { formatPercent } = require("../src/format");

test("formatPercent rounds to one decimal by default", () => {
  assert.equal(formatPercent(0.256), "25.6%");
  assert.equal(formatPercent(0.5), "50%");
});

test("formatPercent with zero decimals", () => {
  assert.equal(formatPercent(0.256, 0), "26%");
});

test("formatPercent rejects non-numbers", () => {
  assert.throws(() => formatPercent("0.5"), TypeError);
});
