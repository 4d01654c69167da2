"use strict";

/**
 * A ratio as a percentage: formatPercent(0.256) === "25.6%".
 * Trailing zeros after the point are dropped: formatPercent(0.5) === "50%".
 */
function formatPercent(ratio, decimals = 1) {
  if (typeof ratio !== "number" || !Number.isFinite(ratio)) {
    throw new TypeError(`formatPercent expects a finite number, got ${ratio}`);
  }
  return `${trimZeros((ratio * 100).toFixed(decimals))}%`;
}

function trimZeros(text) {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

const DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB"];
const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/**
 * A size in bytes for people: formatBytes(1500) === "1.5 kB",
 * formatBytes(1536, { binary: true }) === "1.5 KiB".
 */
function formatBytes(bytes, { binary = false, decimals = 1 } = {}) {
  if (typeof bytes !== "number" || !Number.isInteger(bytes)) {
    throw new TypeError(`formatBytes expects an integer number of bytes, got ${String(bytes)}`);
  }
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 10) {
    throw new RangeError(`decimals must be an integer from 0 to 10, got ${decimals}`);
  }
  if (bytes < 0) {
    return `-${formatBytes(-bytes, { binary, decimals })}`;
  }
  const base = binary ? 1024 : 1000;
  const units = binary ? BINARY_UNITS : DECIMAL_UNITS;
  if (bytes < base) {
    return `${bytes} B`;
  }
  let unit = 1;
  while (unit + 1 < units.length && bytes >= base ** (unit + 1)) {
    unit += 1;
  }
  let shown = (bytes / base ** unit).toFixed(decimals);
  if (Number(shown) >= base && unit + 1 < units.length) {
    unit += 1;
    shown = (bytes / base ** unit).toFixed(decimals);
  }
  return `${trimZeros(shown)} ${units[unit]}`;
}

module.exports = { formatBytes, formatPercent };
