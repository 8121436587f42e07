/**
 * The one-sided Wilcoxon signed-rank test on paired differences, with zeros split evenly between
 * the two signs (scipy's zero_method="zsplit"). Exact null distribution for up to 50 pairs without
 * zeros or ties, the normal approximation with tie correction otherwise, as scipy does.
 */

/** "greater": the differences tend to be positive; "less": negative. */
export type Alternative = "greater" | "less";

export function signedRankPValue(diffs: readonly number[], alternative: Alternative): number {
  const n = diffs.length;
  if (n === 0) return 1;
  const order = diffs.map((d, i) => ({ a: Math.abs(d), i })).sort((x, y) => x.a - y.a);
  const ranks = new Float64Array(n);
  let hasTies = false;
  const tieGroups: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && order[j + 1].a === order[i].a) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k].i] = avg;
    if (j > i) {
      hasTies = true;
      tieGroups.push(j - i + 1);
    }
    i = j + 1;
  }
  let rPlus = 0;
  let hasZeros = false;
  for (let i = 0; i < n; i++) {
    if (diffs[i] > 0) rPlus += ranks[i];
    else if (diffs[i] === 0) {
      rPlus += ranks[i] / 2;
      hasZeros = true;
    }
  }
  if (n <= 50 && !hasZeros && !hasTies) return exactPValue(n, rPlus, alternative);
  const mean = (n * (n + 1)) / 4;
  let variance = n * (n + 1) * (2 * n + 1);
  for (const t of tieGroups) variance -= 0.5 * t * (t * t - 1);
  const se = Math.sqrt(variance / 24);
  if (se === 0) return 1;
  const z = (rPlus - mean) / se;
  return alternative === "greater" ? normalSf(z) : normalSf(-z);
}

/** P(T+ >= r) or P(T+ <= r) under the null, counting the 2^n sign patterns by subset sums. */
function exactPValue(n: number, rPlus: number, alternative: Alternative): number {
  const maxSum = (n * (n + 1)) / 2;
  const counts = new Float64Array(maxSum + 1);
  counts[0] = 1;
  for (let k = 1; k <= n; k++) {
    for (let s = maxSum; s >= k; s--) counts[s] += counts[s - k];
  }
  let tail = 0;
  const r = Math.round(rPlus);
  if (alternative === "greater") for (let s = r; s <= maxSum; s++) tail += counts[s];
  else for (let s = 0; s <= r; s++) tail += counts[s];
  return Math.min(1, tail / 2 ** n);
}

/** 1 - Phi(z). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc (Chebyshev fit), fractional error below 1.2e-7 everywhere.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
