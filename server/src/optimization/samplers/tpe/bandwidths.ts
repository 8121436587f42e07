/**
 * Optuna's univariate bandwidth: the larger distance to either sorted neighbour, with the bounds
 * as outer neighbours; without consider_endpoints the outermost kernels use their inner neighbour.
 * Equal values keep their input order (a stable sort), so in a run of equal values the first
 * reaches back to the previous value, the last forward to the next, and the ones between get zero
 * (the caller clips widths from below). Returns that order: indices by increasing value.
 */
export function neighbourBandwidths(mus: Float64Array, low: number, high: number, considerEndpoints: boolean, out: Float64Array): Int32Array {
  const n = mus.length;
  const order = stableOrder(mus, low, high);
  const trimEnds = !considerEndpoints && n >= 2;
  for (let k = 0; k < n; k++) {
    const v = mus[order[k]];
    const below = v - (k === 0 ? low : mus[order[k - 1]]);
    const above = (k === n - 1 ? high : mus[order[k + 1]]) - v;
    let sigma: number;
    if (trimEnds && k === 0) sigma = above;
    else if (trimEnds && k === n - 1) sigma = below;
    else sigma = Math.max(below, above);
    out[order[k]] = sigma;
  }
  return order;
}

/**
 * Indices of `values` (all within [low, high]) in increasing order, ties in index order. A stable
 * bucket sort: one bucket per value on average, so it runs in linear time on the histories TPE
 * sees, without the per-comparison call of a comparator sort; an overfull bucket of distinct
 * values falls back to a comparator sort.
 */
function stableOrder(values: Float64Array, low: number, high: number): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  const starts = new Int32Array(n + 1);
  const bucketOf = new Int32Array(n);
  const scale = high > low ? n / (high - low) : 0;
  for (let i = 0; i < n; i++) {
    const b = Math.min(n - 1, Math.max(0, Math.floor((values[i] - low) * scale)));
    bucketOf[i] = b;
    starts[b + 1]++;
  }
  for (let b = 0; b < n; b++) starts[b + 1] += starts[b];
  const fill = starts.slice(0, n);
  for (let i = 0; i < n; i++) order[fill[bucketOf[i]]++] = i;
  for (let b = 0; b < n; b++) {
    const s = starts[b];
    const e = starts[b + 1];
    if (e - s > 1 && !insertionSort(values, order, s, e, 8 * (e - s))) {
      const sorted = Array.from(order.subarray(s, e)).sort((x, y) => values[x] - values[y] || x - y);
      order.set(sorted, s);
    }
  }
  return order;
}

/** Stable insertion sort of order[s..e) by value; gives up (false) after `budget` moves. */
function insertionSort(values: Float64Array, order: Int32Array, s: number, e: number, budget: number): boolean {
  for (let i = s + 1; i < e; i++) {
    const item = order[i];
    const v = values[item];
    let j = i - 1;
    while (j >= s && values[order[j]] > v) {
      order[j + 1] = order[j];
      j--;
      if (--budget < 0) {
        order[j + 1] = item;
        // Restore a valid permutation before the caller re-sorts the bucket.
        return false;
      }
    }
    order[j + 1] = item;
  }
  return true;
}
