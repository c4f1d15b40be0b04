// Nearest-rank percentile of ascending values, to 0.1 (ms): one definition for every figure the ingest bench prints.
export const percentileMs = (sorted, p) =>
  Number(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)].toFixed(1))
