/**
 * Minimises a smooth function inside a box with projected L-BFGS: quasi-Newton directions on the
 * free variables, an Armijo backtracking search along the projected path. A small stand-in for
 * L-BFGS-B that is good enough for GP hyperparameters and acquisition refinement.
 */

/** Returns f(x) and writes its gradient into `grad`. */
export type ValueAndGradient = (x: Float64Array, grad: Float64Array) => number;

export interface BoxedLbfgsOptions {
  /** Stop when the largest projected gradient component is below this. Default 1e-5. */
  gtol?: number;
  /** Stop when an iteration improves f by less than ftol * (|f| + 1). Default 1e-9. */
  ftol?: number;
  /** Iteration cap. Default 100. */
  maxIterations?: number;
  /** Number of correction pairs kept. Default 8. */
  memory?: number;
}

export interface BoxedLbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

export function minimizeInBox(
  fg: ValueAndGradient,
  x0: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  options: BoxedLbfgsOptions = {},
): BoxedLbfgsResult {
  const gtol = options.gtol ?? 1e-5;
  const ftol = options.ftol ?? 1e-9;
  const maxIterations = options.maxIterations ?? 100;
  const memory = options.memory ?? 8;
  const n = x0.length;
  const clip = (v: number, i: number) => Math.min(upper[i], Math.max(lower[i], v));

  let x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = clip(x0[i], i);
  let g = new Float64Array(n);
  let f = fg(x, g);
  if (!Number.isFinite(f)) return { x, value: f, iterations: 0 };

  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  let iterations = 0;

  for (; iterations < maxIterations; iterations++) {
    // Variables held at a bound by a gradient pointing outwards are fixed for this step.
    const fixed = new Uint8Array(n);
    let pgMax = 0;
    for (let i = 0; i < n; i++) {
      if ((x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0)) fixed[i] = 1;
      else pgMax = Math.max(pgMax, Math.abs(g[i]));
    }
    if (pgMax < gtol) break;

    // Two-loop recursion on the free variables.
    for (let i = 0; i < n; i++) d[i] = fixed[i] ? 0 : -g[i];
    for (let k = ss.length - 1; k >= 0; k--) {
      let a = 0;
      for (let i = 0; i < n; i++) if (!fixed[i]) a += ss[k][i] * d[i];
      a *= rhos[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) if (!fixed[i]) d[i] -= a * ys[k][i];
    }
    if (ss.length > 0) {
      const last = ss.length - 1;
      let yy = 0;
      for (let i = 0; i < n; i++) yy += ys[last][i] * ys[last][i];
      const gamma = 1 / (rhos[last] * yy);
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let k = 0; k < ss.length; k++) {
      let b = 0;
      for (let i = 0; i < n; i++) if (!fixed[i]) b += ys[k][i] * d[i];
      b *= rhos[k];
      for (let i = 0; i < n; i++) if (!fixed[i]) d[i] += ss[k][i] * (alpha[k] - b);
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += d[i] * g[i];
    if (!(slope < 0)) {
      // Not a descent direction: fall back to steepest descent and forget the curvature pairs.
      ss.length = 0;
      ys.length = 0;
      rhos.length = 0;
      for (let i = 0; i < n; i++) d[i] = fixed[i] ? 0 : -g[i];
    }

    let t = 1;
    if (ss.length === 0) {
      let norm = 0;
      for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]));
      t = Math.min(1, 1 / Math.max(norm, 1e-12));
    }
    let accepted = false;
    let fNew = f;
    for (let tries = 0; tries < 30; tries++) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = clip(x[i] + t * d[i], i);
        decrease += g[i] * (xNew[i] - x[i]);
      }
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * decrease) {
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted) {
      if (ss.length === 0) break;
      ss.length = 0;
      ys.length = 0;
      rhos.length = 0;
      continue;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
    }
    if (sy > 1e-12) {
      ss.push(s);
      ys.push(y);
      rhos.push(1 / sy);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
    }
    const improvement = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (improvement < ftol * (Math.abs(f) + 1)) {
      iterations++;
      break;
    }
  }
  return { x, value: f, iterations };
}
