"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { formatBytes, formatPercent } = require("../src/format");

test("bytes below one kilobyte are whole bytes", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1), "1 B");
  assert.equal(formatBytes(999), "999 B");
  assert.equal(formatBytes(1023, { binary: true }), "1023 B");
});

test("decimal units", () => {
  assert.equal(formatBytes(1000), "1 kB");
  assert.equal(formatBytes(1500), "1.5 kB");
  assert.equal(formatBytes(1234567), "1.2 MB");
  assert.equal(formatBytes(5e9), "5 GB");
  assert.equal(formatBytes(2.5e12), "2.5 TB");
  assert.equal(formatBytes(1e15), "1 PB");
});

test("binary units", () => {
  assert.equal(formatBytes(1024, { binary: true }), "1 KiB");
  assert.equal(formatBytes(1536, { binary: true }), "1.5 KiB");
  assert.equal(formatBytes(1000, { binary: true }), "1000 B");
  assert.equal(formatBytes(3 * 1024 ** 3, { binary: true }), "3 GiB");
  assert.equal(formatBytes(1024 ** 5, { binary: true }), "1 PiB");
});

test("decimals and trailing zeros", () => {
  assert.equal(formatBytes(1234567, { decimals: 3 }), "1.235 MB");
  assert.equal(formatBytes(1234567, { decimals: 0 }), "1 MB");
  assert.equal(formatBytes(1200000, { decimals: 3 }), "1.2 MB");
  assert.equal(formatBytes(1000000, { decimals: 2 }), "1 MB");
  assert.equal(formatBytes(1050, { decimals: 2 }), "1.05 kB");
  assert.equal(formatBytes(10000), "10 kB");
});

test("rounding up into the next unit", () => {
  assert.equal(formatBytes(999999), "1 MB");
  assert.equal(formatBytes(999960), "1 MB");
  assert.equal(formatBytes(999949), "999.9 kB");
  assert.equal(formatBytes(1048575, { binary: true }), "1 MiB");
  assert.equal(formatBytes(999999999, { decimals: 0 }), "1 GB");
});

test("beyond the largest unit", () => {
  assert.equal(formatBytes(1e18), "1000 PB");
  assert.equal(formatBytes(1024 ** 6, { binary: true }), "1024 PiB");
});

test("negative sizes", () => {
  assert.equal(formatBytes(-1500), "-1.5 kB");
  assert.equal(formatBytes(-1), "-1 B");
  assert.equal(formatBytes(-1536, { binary: true }), "-1.5 KiB");
});

test("options are optional and partial", () => {
  assert.equal(formatBytes(1536, {}), "1.5 kB");
  assert.equal(formatBytes(1536, { decimals: 2 }), "1.54 kB");
});

test("bytes must be an integer number", () => {
  for (const value of ["1000", NaN, Infinity, -Infinity, 1.5, null, undefined, 10n, {}]) {
    assert.throws(() => formatBytes(value), TypeError, String(value));
  }
});

test("decimals must be an integer from 0 to 10", () => {
  for (const decimals of [-1, 1.5, 11, "2", NaN]) {
    assert.throws(() => formatBytes(1000, { decimals }), RangeError, String(decimals));
  }
  assert.equal(formatBytes(1000, { decimals: 10 }), "1 kB");
});

test("formatPercent still works", () => {
  assert.equal(formatPercent(0.256), "25.6%");
});
