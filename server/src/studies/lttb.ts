/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, 2013): keeps the first and last point
 * and, from each bucket between, the point that spans the largest triangle with its neighbours,
 * so peaks, dips and the curve's shape survive where plain striding would drop them.
 */
export function lttb<T extends { step: number; value: number }>(points: T[], threshold: number): T[] {
  if (threshold >= points.length || threshold <= 0) return points;
  if (threshold === 1) return [points[points.length - 1]];
  if (threshold === 2) return [points[0], points[points.length - 1]];
  const out: T[] = [points[0]];
  const bucketSize = (points.length - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * bucketSize) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * bucketSize) + 1, points.length);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += points[j].step;
      avgY += points[j].value;
    }
    const n = Math.max(1, nextEnd - nextStart);
    avgX /= n;
    avgY /= n;
    const start = Math.floor(i * bucketSize) + 1;
    const end = Math.floor((i + 1) * bucketSize) + 1;
    const ax = points[a].step;
    const ay = points[a].value;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (points[j].value - ay) - (ax - points[j].step) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[points.length - 1]);
  return out;
}
