/**
 * Marks the trials in the best `quantile` of the losses (lower is better), and at least the best
 * `minTop`; trials tied with the cut-off value are kept too. The cut-off is the inverted-CDF
 * quantile (a loss that was observed), as in Optuna's PED-ANOVA.
 */
export function topQuantileMask(losses: ArrayLike<number>, quantile: number, minTop: number): Uint8Array {
  const n = losses.length;
  const sorted = Float64Array.from(losses).sort();
  const atQuantile = sorted[Math.min(n - 1, Math.max(0, Math.ceil(quantile * n) - 1))];
  const atMinTop = sorted[Math.min(n - 1, Math.max(0, minTop - 1))];
  const cutoff = Math.max(atQuantile, atMinTop);
  const top = new Uint8Array(n);
  for (let i = 0; i < n; i++) top[i] = losses[i] <= cutoff ? 1 : 0;
  return top;
}
