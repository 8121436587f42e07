import type { Rng } from "../../random";

/**
 * Variation operators on unit-cube coordinates (numeric parameters mapped by toUnit). Bounded
 * forms from Deb's NSGA-II code, so children always stay in [0, 1].
 */

/** Simulated binary crossover of one coordinate; returns one of the two children. */
export function sbx(x1: number, x2: number, eta: number, rng: Rng): number {
  if (Math.abs(x1 - x2) < 1e-14) return x1;
  const y1 = Math.min(x1, x2);
  const y2 = Math.max(x1, x2);
  const u = rng.random();
  const spread = (beta: number) => {
    const alpha = 2 - beta ** -(eta + 1);
    return u <= 1 / alpha ? (u * alpha) ** (1 / (eta + 1)) : (1 / (2 - u * alpha)) ** (1 / (eta + 1));
  };
  const c1 = 0.5 * (y1 + y2 - spread(1 + (2 * y1) / (y2 - y1)) * (y2 - y1));
  const c2 = 0.5 * (y1 + y2 + spread(1 + (2 * (1 - y2)) / (y2 - y1)) * (y2 - y1));
  return clip01(rng.random() < 0.5 ? c1 : c2);
}

/** BLX-alpha: uniform in the parents' interval widened by alpha times its length on each side. */
export function blxAlpha(x1: number, x2: number, alpha: number, rng: Rng): number {
  const lo = Math.min(x1, x2);
  const hi = Math.max(x1, x2);
  const d = hi - lo;
  return clip01(rng.uniform(lo - alpha * d, hi + alpha * d));
}

/** Deb's bounded polynomial mutation. */
export function polynomialMutation(x: number, eta: number, rng: Rng): number {
  const u = rng.random();
  const power = 1 / (eta + 1);
  let deltaq: number;
  if (u < 0.5) {
    const xy = 1 - x;
    const val = 2 * u + (1 - 2 * u) * xy ** (eta + 1);
    deltaq = val ** power - 1;
  } else {
    const xy = x;
    const val = 2 * (1 - u) + 2 * (u - 0.5) * xy ** (eta + 1);
    deltaq = 1 - val ** power;
  }
  return clip01(x + deltaq);
}

function clip01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
