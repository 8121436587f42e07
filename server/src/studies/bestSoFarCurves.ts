import type { Direction } from "../optimization";
import { lttb } from "./lttb";

/** One point of a study's best-so-far curve, before normalisation. */
export interface RawCurvePoint {
  /** Where the point sits on the shared axis: the trial number, or seconds since the study began. */
  x: number;
  trialNumber: number;
  completedAt: Date | null;
  /** The best objective value of the study up to and including this trial. */
  value: number;
}

export interface CurvePoint extends RawCurvePoint {
  /** The value on the shared [0, 1] scale: 1 is the best value among the compared studies. */
  normalized: number;
}

/**
 * The shared scale of the curves, in the values' own units. Where the studies agree on the
 * direction, `worst` and `best` are plain objective values; where they mix directions, values of
 * minimised studies enter negated and `direction` is MAXIMIZE.
 */
export interface CurveScale {
  direction: Direction;
  mixedDirections: boolean;
  worst: number;
  best: number;
}

export interface StudyCurve {
  direction: Direction;
  points: RawCurvePoint[];
}

/**
 * Puts the curves of several studies on one [0, 1] axis: min-max over every best-so-far value
 * of every compared study, direction-aware, so that 1 is the best value any of them reached and 0
 * the worst best-so-far value among them (usually some study's first trial). Each curve is then
 * downsampled to at most `maxPoints` points (LTTB, which keeps the first and last point and the
 * steps that shape the curve). When every value is the same, every point is 1.
 */
export function normaliseCurves(curves: StudyCurve[], maxPoints: number): { curves: CurvePoint[][]; scale: CurveScale | null } {
  const drawn = curves.filter((c) => c.points.length > 0);
  if (drawn.length === 0) return { curves: curves.map(() => []), scale: null };
  const mixedDirections = drawn.some((c) => c.direction !== drawn[0].direction);
  const direction: Direction = mixedDirections ? "MAXIMIZE" : drawn[0].direction;
  // Goodness: larger is better, whatever the study's direction.
  const goodness = (value: number, d: Direction) => (d === "MAXIMIZE" ? value : -value);
  let worstGoodness = Infinity;
  let bestGoodness = -Infinity;
  for (const c of drawn) {
    for (const p of c.points) {
      const g = goodness(p.value, c.direction);
      if (g < worstGoodness) worstGoodness = g;
      if (g > bestGoodness) bestGoodness = g;
    }
  }
  const span = bestGoodness - worstGoodness;
  const normalised = curves.map((c) =>
    downsample(c.points, maxPoints).map((p) => ({
      ...p,
      normalized: span > 0 ? (goodness(p.value, c.direction) - worstGoodness) / span : 1,
    })),
  );
  // Back from goodness to the scale's units: negated again when the scale minimises.
  const unit = (g: number) => (direction === "MAXIMIZE" ? g : -g);
  return { curves: normalised, scale: { direction, mixedDirections, worst: unit(worstGoodness), best: unit(bestGoodness) } };
}

function downsample(points: RawCurvePoint[], maxPoints: number): RawCurvePoint[] {
  if (points.length <= maxPoints) return points;
  return lttb(
    points.map((p) => ({ step: p.x, value: p.value, point: p })),
    maxPoints,
  ).map((p) => p.point);
}
