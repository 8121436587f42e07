/**
 * Non-dominated sorting for MOTPE's good group, which needs only the first few fronts (enough to
 * hold gamma(n) <= 25 trials): two objectives in O(n log n), more by peeling front after front
 * and stopping once enough points are out. Memory stays O(n) either way, where a full sort with
 * domination lists is O(n^2) (gigabytes at 10,000 trials). Vectors are minimised; NaN counts
 * as the worst value. Equal vectors share a front.
 */

/** True when a is no worse than b everywhere and better somewhere. */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] > b[k]) return false;
    if (a[k] < b[k]) strictly = true;
  }
  return strictly;
}

/**
 * The best fronts (indices into `vectors`, each front in input order), best first, stopping at
 * the first front that brings the total to at least `needed`; every front when `needed` is
 * Infinity.
 */
export function leadingFronts(vectors: number[][], needed: number): number[][] {
  const n = vectors.length;
  if (n === 0 || needed <= 0) return [];
  const clean = vectors.map((v) => v.map((x) => (Number.isNaN(x) ? Infinity : x)));
  // Lexicographic order: a point can only be dominated by points before it.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => compareLex(clean[i], clean[j]) || i - j);
  const fronts = clean[0].length === 2 ? frontsOf2d(clean, order, needed) : peelFronts(clean, order, needed);
  for (const f of fronts) f.sort((a, b) => a - b);
  return fronts;
}

function compareLex(a: number[], b: number[]): number {
  for (let k = 0; k < a.length; k++) {
    if (a[k] < b[k]) return -1;
    if (a[k] > b[k]) return 1;
  }
  return 0;
}

/**
 * Two objectives: in lexicographic order, a point is dominated by an earlier one exactly when
 * that one's second objective is <= its own (unless the two are equal). Each front's smallest
 * second objective so far is non-decreasing from front to front, so a binary search finds the
 * first front with nothing that dominates the point.
 */
function frontsOf2d(v: number[][], order: number[], needed: number): number[][] {
  const fronts: number[][] = [];
  const minY: number[] = [];
  let prev = -1;
  let prevFront = -1;
  for (const i of order) {
    let f: number;
    if (prev >= 0 && v[prev][0] === v[i][0] && v[prev][1] === v[i][1]) {
      f = prevFront;
    } else {
      const y = v[i][1];
      let lo = 0;
      let hi = minY.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (minY[mid] > y) hi = mid;
        else lo = mid + 1;
      }
      f = lo;
      if (f === minY.length) minY.push(y), fronts.push([]);
      else minY[f] = y;
    }
    fronts[f].push(i);
    prev = i;
    prevFront = f;
  }
  let kept = 0;
  for (let f = 0; f < fronts.length; f++) {
    kept += fronts[f].length;
    if (kept >= needed) return fronts.slice(0, f + 1);
  }
  return fronts;
}

/** Any number of objectives: each front is the points no remaining earlier point dominates. */
function peelFronts(v: number[][], order: number[], needed: number): number[][] {
  const fronts: number[][] = [];
  let rest = order;
  let total = 0;
  while (rest.length > 0 && total < needed) {
    const front: number[] = [];
    const next: number[] = [];
    for (const i of rest) {
      // A dominated point is dominated by a member of the current front (transitivity).
      let dominated = false;
      for (const j of front) {
        if (dominates(v[j], v[i])) {
          dominated = true;
          break;
        }
      }
      (dominated ? next : front).push(i);
    }
    fronts.push(front);
    total += front.length;
    rest = next;
  }
  return fronts;
}
