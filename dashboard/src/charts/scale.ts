/** A numeric axis: its range, linear or log, and the ticks to label it with. */
export interface Scale {
  min: number;
  max: number;
  log: boolean;
}

/** A range that covers the values, padded a little, never empty; log only when every value is positive. */
export function scaleFor(values: Iterable<number>, options: { log?: boolean; pad?: number } = {}): Scale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) return { min: 0, max: 1, log: false };
  const log = !!options.log && min > 0;
  const pad = options.pad ?? 0.04;
  if (log) {
    const lo = Math.log10(min);
    const hi = Math.log10(max);
    const span = hi - lo || 1;
    return { min: 10 ** (lo - span * pad), max: 10 ** (hi + span * pad), log };
  }
  const span = max - min || Math.abs(max) || 1;
  return { min: min - span * pad, max: max + span * pad, log };
}

/** Where a value falls in the scale, 0..1. */
export function position(scale: Scale, value: number): number {
  if (scale.log) return (Math.log10(value) - Math.log10(scale.min)) / (Math.log10(scale.max) - Math.log10(scale.min));
  return (value - scale.min) / (scale.max - scale.min);
}

/** The value at a position 0..1 of the scale. */
export function valueAt(scale: Scale, t: number): number {
  if (scale.log) return 10 ** (Math.log10(scale.min) + t * (Math.log10(scale.max) - Math.log10(scale.min)));
  return scale.min + t * (scale.max - scale.min);
}

/** About `count` round tick values inside the scale (1, 2, 5 steps; powers of ten on log scales). */
export function ticks(scale: Scale, count = 5): number[] {
  if (scale.log) {
    const out: number[] = [];
    const lo = Math.ceil(Math.log10(scale.min));
    const hi = Math.floor(Math.log10(scale.max));
    const stride = Math.max(1, Math.ceil((hi - lo + 1) / count));
    for (let e = lo; e <= hi; e += stride) out.push(10 ** e);
    if (out.length >= 2) return out;
    return ticks({ ...scale, log: false }, count);
  }
  const raw = (scale.max - scale.min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(scale.min / step) * step; v <= scale.max + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}
