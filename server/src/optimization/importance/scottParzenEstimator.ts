import { ndtr } from "../samplers/tpe/truncnorm";

/**
 * The probability of each cell of a grid under a Parzen estimator of how often each cell was
 * seen, with a prior component that keeps unseen cells above zero (PED-ANOVA's estimator).
 *
 * Ordered grids (numeric parameters) use one Gaussian kernel per seen cell, weighted by its
 * count, integrated over each cell and truncated to the grid. The bandwidth follows Scott's rule
 * (1.059 min(IQR / 1.34, sd) n^(-1/5), in cells), because TPE's neighbour distances are too wide
 * for this comparison; it never drops below 0.5 / 1.64 cells, so that 90% of a kernel's mass
 * can sit in its own cell. The prior is one kernel over the whole grid, as wide as the grid.
 * Unordered grids (categorical parameters) use the counts themselves, the prior spread evenly.
 *
 * @param counts how many trials fell in each cell.
 * @param categorical true when the cells have no order.
 * @param priorWeight the prior component's weight against a weight of 1 per trial.
 */
export function cellProbabilities(counts: ArrayLike<number>, categorical: boolean, priorWeight: number): Float64Array {
  const size = counts.length;
  const seen: number[] = [];
  let total = 0;
  for (let c = 0; c < size; c++) {
    if (counts[c] > 0) {
      seen.push(c);
      total += counts[c];
    }
  }
  const weightSum = total + priorWeight;
  const out = new Float64Array(size);
  if (categorical) {
    // Counts plus the prior's flat share. Optuna smooths each seen choice's kernel instead, with
    // priorWeight / (distinct choices seen + 1) on every choice: when the top trials agree on one
    // choice that flattens their distribution by half and under-rates the parameter.
    for (let k = 0; k < size; k++) out[k] = (counts[k] + priorWeight / size) / weightSum;
    return out;
  }
  const sigma = scottBandwidth(counts, seen, total);
  for (const c of seen) addDiscreteKernel(out, c, sigma, counts[c] / weightSum);
  addDiscreteKernel(out, (size - 1) / 2, size, priorWeight / weightSum);
  return out;
}

/** Scott's rule on the cell indices, with Optuna's floor of 0.5 / 1.64 cells. */
function scottBandwidth(counts: ArrayLike<number>, seen: number[], total: number): number {
  const minSigma = 0.5 / 1.64;
  if (seen.length === 0) return minSigma;
  let mean = 0;
  for (const c of seen) mean += (c * counts[c]) / total;
  let squares = 0;
  for (const c of seen) squares += (c - mean) ** 2 * counts[c];
  const sd = Math.sqrt(squares / Math.max(1, total - 1));
  // Quartiles read off the cumulative counts, the way numpy's searchsorted does in Optuna.
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of seen) cumulative.push((acc += counts[c]));
  const q25 = firstIndex(cumulative, (x) => x >= Math.floor(total / 4));
  const q75 = firstIndex(cumulative, (x) => x > Math.floor((total * 3) / 4));
  const iqr = seen[Math.min(seen.length - 1, q75)] - seen[q25];
  const sigma = 1.059 * Math.min(iqr / 1.34, sd) * total ** -0.2;
  return Math.max(sigma, minSigma);
}

function firstIndex(sorted: number[], test: (x: number) => boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(sorted[mid])) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Adds weight times a normal(mu, sigma) integrated over each cell, truncated to the grid. */
function addDiscreteKernel(out: Float64Array, mu: number, sigma: number, weight: number): void {
  const size = out.length;
  // The normal's mass beyond each cell edge, on the edge's far side from mu: differences of
  // these stay precise in both tails, where 1 - Phi would cancel.
  const tails = new Float64Array(size + 1);
  const signs = new Int8Array(size + 1);
  for (let e = 0; e <= size; e++) {
    const z = (e - 0.5 - mu) / sigma;
    tails[e] = ndtr(-Math.abs(z));
    signs[e] = z > 0 ? 1 : -1;
  }
  const masses = new Float64Array(size);
  let inside = 0;
  for (let k = 0; k < size; k++) {
    const a = tails[k];
    const b = tails[k + 1];
    // Both edges below mu: Phi(zb) - Phi(za); both above: the upper tails' difference; else 1 minus both tails.
    const mass = signs[k + 1] < 0 ? b - a : signs[k] > 0 ? a - b : 1 - a - b;
    masses[k] = Math.max(0, mass);
    inside += masses[k];
  }
  for (let k = 0; k < size; k++) out[k] += (weight * masses[k]) / inside;
}
