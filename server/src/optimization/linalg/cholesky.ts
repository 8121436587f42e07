/**
 * Cholesky factorisation and the solves built on it. Matrices are dense, square, row-major
 * Float64Arrays of n * n entries; only the lower triangle of a factor is meaningful.
 */

/** Factors a symmetric positive-definite `a` as L L^T; returns L, or null when `a` is not PD. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0) || !Number.isFinite(d)) return null;
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Cholesky with growing diagonal jitter for matrices that are PD in theory but not in floating
 * point (near-duplicate inputs of a kernel matrix). Returns the factor and the jitter added.
 */
export function choleskyWithJitter(a: Float64Array, n: number, firstJitter = 1e-10, maxTries = 8): { l: Float64Array; jitter: number } {
  const first = cholesky(a, n);
  if (first) return { l: first, jitter: 0 };
  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += a[i * n + i];
  meanDiag = n > 0 ? Math.abs(meanDiag / n) || 1 : 1;
  let jitter = firstJitter * meanDiag;
  const b = new Float64Array(a);
  for (let t = 0; t < maxTries; t++, jitter *= 10) {
    for (let i = 0; i < n; i++) b[i * n + i] = a[i * n + i] + jitter;
    const l = cholesky(b, n);
    if (l) return { l, jitter };
  }
  throw new Error("matrix is not positive definite even with jitter");
}

/** Solves L x = b (forward substitution); writes into `out` when given. */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * out[k];
    out[i] = s / l[ri + i];
  }
  return out;
}

/** Solves L^T x = b (back substitution with the transpose of a lower factor). */
export function solveLowerTransposed(l: Float64Array, n: number, b: ArrayLike<number>, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * out[k];
    out[i] = s / l[i * n + i];
  }
  return out;
}

/** Solves (L L^T) x = b given the Cholesky factor L. */
export function choleskySolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveLowerTransposed(l, n, solveLower(l, n, b));
}

/** log det(L L^T). */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

/** (L L^T)^-1 as a full symmetric matrix, via the inverse of L. */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  // mt = (L^-1)^T, row-major, so that both loops below run over contiguous memory.
  const mt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    mt[rj + j] = 1 / l[rj + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let k = j; k < i; k++) s -= l[ri + k] * mt[rj + k];
      mt[rj + i] = s / l[ri + i];
    }
  }
  // A^-1 = M^T M; entry (i, j) sums over k >= max(i, j).
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = 0;
      for (let k = i; k < n; k++) s += mt[ri + k] * mt[rj + k];
      inv[ri + j] = s;
      inv[rj + i] = s;
    }
  }
  return inv;
}
