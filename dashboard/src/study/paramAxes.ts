import type { JsonValue, ParamSpecView, TrialRow } from "../api/types";
import { formatParam } from "../ui/format";
import { position, scaleFor, type Scale } from "../charts/scale";

/** How one parameter is laid on an axis: numbers on a (log) scale, categories evenly spaced. */
export interface ParamAxis {
  name: string;
  categorical: boolean;
  scale: Scale;
  /** Category labels in axis order (categorical axes). */
  categories: string[];
  /** 0..1 along the axis, or null when the trial lacks the parameter. */
  position(value: JsonValue | undefined): number | null;
  /** The number plotted for a value: itself, or its category's index. */
  numeric(value: JsonValue | undefined): number | null;
}

/**
 * The parameters of a study's trials: declared ones in declared order, then define-by-run ones
 * as they were first seen. Declared ranges and log flags set the scales.
 */
export function paramAxes(space: ParamSpecView[], trials: TrialRow[]): ParamAxis[] {
  const names: string[] = space.map((p) => p.name);
  const seen = new Set(names);
  const values = new Map<string, JsonValue[]>();
  for (const t of trials) {
    for (const [name, v] of Object.entries(t.params)) {
      if (!seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
      let list = values.get(name);
      if (!list) values.set(name, (list = []));
      list.push(v);
    }
  }
  return names.map((name) => makeAxis(name, space.find((p) => p.name === name), values.get(name) ?? []));
}

function makeAxis(name: string, spec: ParamSpecView | undefined, values: JsonValue[]): ParamAxis {
  const categorical = spec ? spec.type === "CATEGORICAL" : values.some((v) => typeof v !== "number");
  if (categorical) {
    const labels = spec?.choices?.map(formatParam) ?? [];
    for (const v of values) if (!labels.includes(formatParam(v))) labels.push(formatParam(v));
    const index = new Map(labels.map((l, i) => [l, i]));
    const scale: Scale = { min: -0.5, max: Math.max(0.5, labels.length - 0.5), log: false };
    const numeric = (v: JsonValue | undefined) => (v === undefined ? null : (index.get(formatParam(v)) ?? null));
    return {
      name,
      categorical,
      scale,
      categories: labels,
      numeric,
      position: (v) => {
        const n = numeric(v);
        return n === null ? null : position(scale, n);
      },
    };
  }
  const numbers = values.filter((v): v is number => typeof v === "number");
  const bounds = spec?.low != null && spec.high != null ? [spec.low, spec.high, ...numbers] : numbers;
  const scale = scaleFor(bounds, { log: spec?.log ?? false, pad: 0.02 });
  const numeric = (v: JsonValue | undefined) => (typeof v === "number" && (!scale.log || v > 0) ? v : null);
  return {
    name,
    categorical,
    scale,
    categories: [],
    numeric,
    position: (v) => {
      const n = numeric(v);
      return n === null ? null : position(scale, n);
    },
  };
}

/** Trials that finished with a value for `objective`. */
export function finished(trials: TrialRow[], objective = 0): TrialRow[] {
  return trials.filter((t) => t.state === "COMPLETE" && t.values && Number.isFinite(t.values[objective]));
}
