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

module.exports = { formatPercent };
