/**
 * The Matérn 5/2 kernel on a squared distance d2 = sum_k isl_k * delta_k^2, where delta_k is the
 * coordinate difference for numeric parameters and 0/1 (equal or not) for categorical ones
 * (a Hamming-style distance, as Optuna does), and isl_k are inverse squared length scales (ARD).
 */

const SQRT5 = Math.sqrt(5);

/** k(d2) / signal variance = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r), r = sqrt(d2). */
export function matern52(d2: number): number {
  const r = Math.sqrt(d2);
  return (1 + SQRT5 * r + (5 / 3) * d2) * Math.exp(-SQRT5 * r);
}

/** d matern52 / d d2 = -5/6 (1 + sqrt5 r) exp(-sqrt5 r); finite at r = 0. */
export function matern52DerivativeWrtSquaredDistance(d2: number): number {
  const r = Math.sqrt(d2);
  return (-5 / 6) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Per-coordinate contribution to the squared distance before scaling by isl. */
export function coordinateDelta2(a: number, b: number, categorical: boolean): number {
  if (categorical) return a === b ? 0 : 1;
  const diff = a - b;
  return diff * diff;
}
