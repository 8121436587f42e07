/**
 * Exact hypervolume dominated by `points` (minimisation) up to `reference`. Two objectives use a
 * sweep; more use slicing along the last objective (fine for the few dozen points MOTPE scores).
 * Points that do not dominate the reference contribute nothing.
 */
export function hypervolume(points: number[][], reference: number[]): number {
  const inside = points.filter((p) => p.every((v, k) => v < reference[k]));
  if (inside.length === 0) return 0;
  const m = reference.length;
  if (m === 1) return reference[0] - Math.min(...inside.map((p) => p[0]));
  if (m === 2) {
    const sorted = inside.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let volume = 0;
    let bestY = reference[1];
    for (const p of sorted) {
      if (p[1] < bestY) {
        volume += (reference[0] - p[0]) * (bestY - p[1]);
        bestY = p[1];
      }
    }
    return volume;
  }
  const sorted = inside.slice().sort((a, b) => a[m - 1] - b[m - 1]);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1][m - 1] : reference[m - 1];
    const height = top - sorted[i][m - 1];
    if (height <= 0) continue;
    const slice = sorted.slice(0, i + 1).map((p) => p.slice(0, m - 1));
    volume += height * hypervolume(slice, reference.slice(0, m - 1));
  }
  return volume;
}
