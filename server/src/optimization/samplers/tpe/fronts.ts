/**
 * Non-dominated sorting for MOTPE's good group, which needs only the first few fronts (enough to
 * hold gamma(n) <= 25 trials): two objectives in O(n log n), more by peeling front after front
 * (O(n log n) a front for three) and stopping once enough points are out. Memory stays O(n) either way, where a full sort with
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

/**
 * Three or more objectives: each front is the remaining points that no remaining point dominates,
 * peeled one after another until enough points are out.
 */
function peelFronts(v: number[][], order: number[], needed: number): number[][] {
  const fronts: number[][] = [];
  let rest = order;
  let total = 0;
  while (rest.length > 0 && total < needed) {
    const onFront = v[0].length === 3 ? firstFront3d(v, rest) : firstFrontByComparison(v, rest);
    const front: number[] = [];
    const next: number[] = [];
    rest.forEach((i, k) => (onFront[k] ? front : next).push(i));
    fronts.push(front);
    total += front.length;
    rest = next;
  }
  return fronts;
}

/** Marks the non-dominated among `rest` (in lexicographic order), comparing with the front so far. */
function firstFrontByComparison(v: number[][], rest: number[]): Uint8Array {
  const onFront = new Uint8Array(rest.length);
  const front: number[] = [];
  rest.forEach((i, k) => {
    // A dominated point is dominated by a member of the front (transitivity).
    for (const j of front) if (dominates(v[j], v[i])) return;
    onFront[k] = 1;
    front.push(i);
  });
  return onFront;
}

/**
 * Three objectives in O(n log n): in lexicographic order, a point is dominated exactly when an
 * earlier, different point has second and third objectives no larger, which a Fenwick tree of
 * the smallest third objective by rank of the second answers. Equal vectors are looked up
 * before any of them is added, so they do not dominate each other.
 */
function firstFront3d(v: number[][], rest: number[]): Uint8Array {
  const n = rest.length;
  // Objectives as ranks (equal values share one), so an empty tree reads n + 1, above them all.
  const rankIn = (sorted: Float64Array, x: number) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
  const ys = Float64Array.from(rest, (i) => v[i][1]).sort();
  const zs = Float64Array.from(rest, (i) => v[i][2]).sort();
  const smallestZ = new Int32Array(n + 1).fill(n + 1);
  const onFront = new Uint8Array(n);
  let k = 0;
  while (k < n) {
    let end = k + 1;
    while (end < n && compareLex(v[rest[end]], v[rest[k]]) === 0) end++;
    const y = rankIn(ys, v[rest[k]][1]);
    const z = rankIn(zs, v[rest[k]][2]);
    let best = n + 1;
    for (let r = y; r > 0; r -= r & -r) best = Math.min(best, smallestZ[r]);
    if (best > z) onFront.fill(1, k, end);
    for (let r = y; r <= n; r += r & -r) smallestZ[r] = Math.min(smallestZ[r], z);
    k = end;
  }
  return onFront;
}
