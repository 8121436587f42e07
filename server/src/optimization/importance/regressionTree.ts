import type { BinnedFeature } from "./binnedFeatures";

export interface TreeOptions {
  /** Splits stop at this depth (the root is depth 0). */
  maxDepth: number;
  /** A node with fewer distinct trials than this is a leaf. */
  minSamplesSplit: number;
  /** Each side of a split keeps at least this many distinct trials. */
  minSamplesLeaf: number;
}

/**
 * A fitted tree as fANOVA needs it: the leaves, each a box of the domain with a prediction. A
 * leaf's box is a range of bins for a numeric feature and a set of bins for a categorical one.
 */
export interface TreeLeaves {
  count: number;
  /** Each leaf's prediction (the mean target of its trials). */
  values: number[];
  /** Numeric feature j of leaf l covers bins lo[l * features + j] ..= hi[l * features + j]. */
  lo: number[];
  hi: number[];
  /** Categorical feature j of leaf l: members[j][l][b] is 1 when bin b is in the box (empty for numeric features). */
  members: Uint8Array[][];
}

/** A node's box while the tree grows. */
interface Box {
  lo: Int32Array;
  hi: Int32Array;
  members: (Uint8Array | null)[];
}

/** The best split found for a node: the first `leftCount` bins of `order` go left. */
interface Split {
  feature: number;
  order: Int32Array;
  leftCount: number;
  leftWeight: number;
  weight: number;
}

/**
 * Grows one CART regression tree (squared error) on binned features, trials weighted by their
 * bootstrap counts. Every feature is tried at every node, as scikit-learn's random forest
 * regressor does by default. Numeric splits fall between the occupied bins nearest the middle
 * of the gap; categorical splits order the choices by mean target (Breiman's trick, optimal for
 * squared error), and choices absent from a node go with its heavier side.
 */
export function fitRegressionTree(features: BinnedFeature[], y: Float64Array, weights: Float64Array, options: TreeOptions): TreeLeaves {
  const nFeatures = features.length;
  const leaves: TreeLeaves = { count: 0, values: [], lo: [], hi: [], members: features.map(() => []) };
  let used = 0;
  for (let i = 0; i < y.length; i++) if (weights[i] > 0) used++;
  if (used === 0) return leaves;
  const index = new Int32Array(used);
  for (let i = 0, k = 0; i < y.length; i++) if (weights[i] > 0) index[k++] = i;
  // Every trial's bins in one row (features side by side), so one pass over a node's trials
  // fills every feature's histogram.
  const widest = Math.max(...features.map((f) => f.measures.length));
  const rows = widest <= 0xffff ? new Uint16Array(y.length * nFeatures) : new Uint32Array(y.length * nFeatures);
  for (let j = 0; j < nFeatures; j++) {
    const bins = features[j].bins;
    for (let i = 0; i < y.length; i++) rows[i * nFeatures + j] = bins[i];
  }
  // Per-bin sums of the node being split, feature j's bins from offsets[j]; reset after each node.
  const offsets = new Int32Array(nFeatures + 1);
  for (let j = 0; j < nFeatures; j++) offsets[j + 1] = offsets[j] + features[j].measures.length;
  const totalBins = offsets[nFeatures];
  const sumW = new Float64Array(totalBins);
  const sumY = new Float64Array(totalBins);
  const counts = new Int32Array(totalBins);
  const means = new Float64Array(totalBins);
  // Feature j's occupied bins (relative to offsets[j]) in order[offsets[j] ..], touched[j] of them.
  const order = new Int32Array(totalBins);
  const touched = new Int32Array(nFeatures);
  const bestOrder = new Int32Array(totalBins);

  const bestSplit = (start: number, end: number, box: Box): Split | null => {
    let W = 0;
    let S = 0;
    let yMin = Infinity;
    let yMax = -Infinity;
    touched.fill(0);
    for (let k = start; k < end; k++) {
      const i = index[k];
      const wi = weights[i];
      const yi = y[i];
      W += wi;
      S += wi * yi;
      if (yi < yMin) yMin = yi;
      if (yi > yMax) yMax = yi;
      const row = i * nFeatures;
      for (let j = 0; j < nFeatures; j++) {
        const off = offsets[j];
        const b = rows[row + j];
        if (counts[off + b]++ === 0) order[off + touched[j]++] = b;
        sumW[off + b] += wi;
        sumY[off + b] += wi * yi;
      }
    }
    const N = end - start;
    const parentScore = (S * S) / W;
    let bestGain = 0;
    let best: Split | null = null;
    for (let j = 0; j < nFeatures && yMin !== yMax; j++) {
      const off = offsets[j];
      const nt = touched[j];
      if (nt < 2) continue;
      const ord = order.subarray(off, off + nt);
      const w = sumW.subarray(off);
      const s = sumY.subarray(off);
      const c = counts.subarray(off);
      if (features[j].categorical) {
        const m = means.subarray(off);
        for (let t = 0; t < nt; t++) m[ord[t]] = s[ord[t]] / w[ord[t]];
        if (nt <= 32) insertionSort(ord, nt, m);
        else ord.sort((a, b) => m[a] - m[b] || a - b);
      } else if ((nt * nt) / 4 < box.hi[j] - box.lo[j]) {
        insertionSort(ord, nt, null);
      } else {
        // Many occupied bins: reading them off the node's range is cheaper than sorting.
        let t = 0;
        for (let b = box.lo[j]; b <= box.hi[j]; b++) if (c[b] > 0) ord[t++] = b;
      }
      let WL = 0;
      let SL = 0;
      let NL = 0;
      for (let t = 0; t < nt - 1; t++) {
        const b = ord[t];
        WL += w[b];
        SL += s[b];
        NL += c[b];
        if (NL < options.minSamplesLeaf || N - NL < options.minSamplesLeaf) continue;
        const WR = W - WL;
        const SR = S - SL;
        const gain = (SL * SL) / WL + (SR * SR) / WR - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestOrder.set(ord);
          best = { feature: j, order: bestOrder.subarray(0, nt), leftCount: t + 1, leftWeight: WL, weight: W };
        }
      }
    }
    for (let j = 0; j < nFeatures; j++) {
      const off = offsets[j];
      for (let t = 0; t < touched[j]; t++) {
        const b = off + order[off + t];
        counts[b] = 0;
        sumW[b] = 0;
        sumY[b] = 0;
      }
    }
    return best;
  };

  const addLeaf = (start: number, end: number, box: Box) => {
    let W = 0;
    let S = 0;
    for (let k = start; k < end; k++) {
      W += weights[index[k]];
      S += weights[index[k]] * y[index[k]];
    }
    leaves.values.push(S / W);
    for (let j = 0; j < nFeatures; j++) {
      leaves.lo.push(box.lo[j]);
      leaves.hi.push(box.hi[j]);
      // Masks are never changed once made, so leaves share them with their ancestors.
      const m = box.members[j];
      if (m) leaves.members[j].push(m);
    }
    leaves.count++;
  };

  const grow = (start: number, end: number, depth: number, box: Box): void => {
    const split = depth < options.maxDepth && end - start >= options.minSamplesSplit ? bestSplit(start, end, box) : null;
    if (!split) {
      addLeaf(start, end, box);
      return;
    }
    const feature = features[split.feature];
    const goesLeft = leftBins(feature, split, box);
    // Partition index[start, end) so the left child's trials come first.
    let mid = start;
    for (let k = start; k < end; k++) {
      if (goesLeft[feature.bins[index[k]]]) {
        const tmp = index[mid];
        index[mid] = index[k];
        index[k] = tmp;
        mid++;
      }
    }
    const [leftBox, rightBox] = splitBox(box, split.feature, feature, goesLeft);
    grow(start, mid, depth + 1, leftBox);
    grow(mid, end, depth + 1, rightBox);
  };

  const root: Box = {
    lo: new Int32Array(nFeatures),
    hi: Int32Array.from(features, (f) => f.measures.length - 1),
    members: features.map((f) => (f.categorical ? new Uint8Array(f.measures.length).fill(1) : null)),
  };
  grow(0, index.length, 0, root);
  return leaves;
}

/** Which bins of the split feature go to the left child. */
function leftBins(feature: BinnedFeature, split: Split, box: Box): Uint8Array {
  const size = feature.measures.length;
  const left = new Uint8Array(size);
  if (feature.categorical) {
    const heavierLeft = split.leftWeight >= split.weight - split.leftWeight;
    const seen = new Uint8Array(size);
    for (const b of split.order) seen[b] = 1;
    for (let b = 0; b < size; b++) left[b] = seen[b] ? 0 : heavierLeft ? 1 : 0;
    for (let t = 0; t < split.leftCount; t++) left[split.order[t]] = 1;
    return left;
  }
  const below = split.order[split.leftCount - 1];
  const above = split.order[split.leftCount];
  let cut = below;
  if (below !== feature.absentBin) {
    // The bin edge nearest the middle between the two occupied bins, as a split between two
    // sample values would fall in scikit-learn.
    const middle = (feature.centres[below] + feature.centres[above]) / 2;
    for (let b = below + 1; b < above; b++) {
      if (Math.abs(feature.upperEdges[b] - middle) < Math.abs(feature.upperEdges[cut] - middle)) cut = b;
    }
  }
  for (let b = box.lo[split.feature]; b <= cut; b++) left[b] = 1;
  return left;
}

function splitBox(box: Box, j: number, feature: BinnedFeature, goesLeft: Uint8Array): [Box, Box] {
  const left: Box = { lo: box.lo.slice(), hi: box.hi.slice(), members: box.members.slice() };
  const right: Box = { lo: box.lo.slice(), hi: box.hi.slice(), members: box.members.slice() };
  if (feature.categorical) {
    const parent = box.members[j]!;
    const l = new Uint8Array(parent.length);
    const r = new Uint8Array(parent.length);
    for (let b = 0; b < parent.length; b++) {
      l[b] = parent[b] & goesLeft[b];
      r[b] = parent[b] & (1 - goesLeft[b]);
    }
    left.members[j] = l;
    right.members[j] = r;
  } else {
    let cut = box.lo[j];
    while (cut + 1 <= box.hi[j] && goesLeft[cut + 1]) cut++;
    left.hi[j] = cut;
    right.lo[j] = cut + 1;
  }
  return [left, right];
}

/** Sorts xs[0..n) ascending, by keys[x] when given, else by value (n is small here). */
function insertionSort(xs: Int32Array, n: number, keys: Float64Array | null): void {
  for (let a = 1; a < n; a++) {
    const x = xs[a];
    const kx = keys ? keys[x] : x;
    let b = a - 1;
    while (b >= 0 && (keys ? keys[xs[b]] : xs[b]) > kx) {
      xs[b + 1] = xs[b];
      b--;
    }
    xs[b + 1] = x;
  }
}
