import type { Direction } from "./types";

/** True when `a` is at least as good as `b` in every objective and better in one. */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>, directions: Direction[]): boolean {
  let better = false;
  for (let k = 0; k < directions.length; k++) {
    const sign = directions[k] === "MAXIMIZE" ? -1 : 1;
    const da = sign * a[k];
    const db = sign * b[k];
    if (da > db) return false;
    if (da < db) better = true;
  }
  return better;
}

/**
 * Indices of the non-dominated points, in input order. Points are first sorted
 * lexicographically, so each is compared only with the current front: fast for the fronts of real studies.
 */
export function paretoFront(points: number[][], directions: Direction[]): number[] {
  const order = points.map((_, i) => i).filter((i) => points[i].length === directions.length);
  // Lexicographic order: a point that dominates another always comes before it.
  const signs = directions.map((d) => (d === "MAXIMIZE" ? -1 : 1));
  order.sort((i, j) => {
    for (let k = 0; k < signs.length; k++) {
      const d = signs[k] * (points[i][k] - points[j][k]);
      if (d !== 0) return d;
    }
    return i - j;
  });
  const front: number[] = [];
  for (const i of order) {
    if (front.some((j) => dominates(points[j], points[i], directions) || sameVector(points[j], points[i]))) continue;
    front.push(i);
  }
  // Duplicates of a front point are on the front too (Optuna keeps them).
  const onFront = new Set(front);
  for (const i of order) {
    if (!onFront.has(i) && front.some((j) => sameVector(points[j], points[i]))) onFront.add(i);
  }
  return [...onFront].sort((a, b) => a - b);
}

function sameVector(a: number[], b: number[]): boolean {
  return a.every((v, k) => v === b[k]);
}
