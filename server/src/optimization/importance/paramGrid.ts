import type { JsonValue, ParamSpec } from "../types";

/** A parameter's values mapped onto a small grid of cells, the support of PED-ANOVA's estimators. */
export interface ParamGrid {
  /** Number of cells. */
  size: number;
  /** True for a categorical parameter (its cells have no order). */
  categorical: boolean;
  /** The cell of a value, or -1 when the value does not belong to the parameter. */
  cellOf(value: JsonValue): number;
}

/**
 * Numeric parameters get `maxCells` evenly spaced grid points on their own scale (log scale for
 * log parameters), fewer when the parameter has fewer values: a stepped range keeps one cell per
 * step, a log-scaled integer about one per doubling. A value belongs to its nearest grid point.
 * Categorical parameters get one cell per choice. Same grids as Optuna's PED-ANOVA.
 */
export function paramGrid(spec: ParamSpec, maxCells: number): ParamGrid {
  if (spec.type === "CATEGORICAL") {
    const index = new Map(spec.choices.map((c, i) => [JSON.stringify(c), i]));
    return { size: spec.choices.length, categorical: true, cellOf: (v) => index.get(JSON.stringify(v)) ?? -1 };
  }
  let size = maxCells;
  if (spec.type === "INT" && spec.log) size = Math.min(Math.ceil(Math.log2(spec.high - spec.low + 1)) + 1, maxCells);
  else if (spec.step !== null) size = Math.min(Math.round((spec.high - spec.low) / spec.step) + 1, maxCells);
  const scale = spec.log ? Math.log : (x: number) => x;
  const lo = scale(spec.low);
  const hi = scale(spec.high);
  const width = size > 1 ? (hi - lo) / (size - 1) : 1;
  return {
    size,
    categorical: false,
    cellOf(v) {
      if (typeof v !== "number" || !Number.isFinite(v) || (spec.log && v <= 0)) return -1;
      // The nearest grid point, ties going down; values outside the range go to the end cells.
      const cell = Math.ceil((scale(v) - lo) / width - 0.5);
      return Math.min(size - 1, Math.max(0, cell));
    },
  };
}
