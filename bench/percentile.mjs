// Nearest-rank percentile of ascending values (the smallest value with at least p% of them at or below it): the one
// rule for every percentile the benches print.
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

// The same, to 0.1 (ms).
export const percentileMs = (sorted, p) => Number(percentile(sorted, p).toFixed(1))
