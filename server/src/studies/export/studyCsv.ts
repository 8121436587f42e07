import type { JsonValue } from "../../optimization";
import { microsFromIso } from "./microseconds";
import type { StudyDocument, TrialPart } from "./studyDocument";

/**
 * One row per trial in the style of Optuna's `study.trials_dataframe()`: number, value (or
 * values_0, values_1, ... with several objectives), datetime_start, datetime_complete, duration
 * (seconds), params_<name>, user_attrs_<key> (nested objects flattened with dots), state, then
 * tags, note, prune_reason and fail_reason. Lossy: a CSV holds no metric curves, distributions
 * or study settings; the JSON export is the one an import reads back.
 */
export function studyCsv(document: StudyDocument): string {
  const { study, trials } = document;
  const valueColumns = study.directions.length === 1 ? ["value"] : study.directions.map((_, i) => `values_${i}`);
  const paramNames = orderedUnion([study.searchSpace.map((p) => p.name), ...trials.map((t) => Object.keys(t.params))]);
  const flatAttrs = trials.map((t) => flatten(t.userAttrs));
  const attrNames = orderedUnion(flatAttrs.map((a) => [...a.keys()]));
  const header = [
    "number",
    ...valueColumns,
    "datetime_start",
    "datetime_complete",
    "duration",
    ...paramNames.map((n) => `params_${n}`),
    ...attrNames.map((n) => `user_attrs_${n}`),
    "state",
    "tags",
    "note",
    "prune_reason",
    "fail_reason",
  ];
  const rows = trials.map((t, i) => [
    t.number,
    ...valueColumns.map((_, k) => t.values?.[k] ?? null),
    t.startedAt,
    t.completedAt,
    duration(t),
    ...paramNames.map((n) => (n in t.params ? t.params[n] : null)),
    ...attrNames.map((n) => flatAttrs[i].get(n) ?? null),
    t.state,
    t.tags.length ? t.tags : null,
    t.note,
    t.pruneReason,
    t.failReason,
  ]);
  return [header, ...rows].map((row) => row.map(cell).join(",")).join("\r\n") + "\r\n";
}

/** Seconds from start to completion; empty for trials without both. */
function duration(t: TrialPart): number | null {
  if (!t.startedAt || !t.completedAt) return null;
  return (microsFromIso(t.completedAt, "completedAt") - microsFromIso(t.startedAt, "startedAt")) / 1e6;
}

/** Names in first-seen order. */
function orderedUnion(lists: string[][]): string[] {
  const seen = new Set<string>();
  for (const list of lists) for (const name of list) seen.add(name);
  return [...seen];
}

/** Nested objects become dotted keys ({ a: { b: 1 } } gives "a.b"); arrays stay whole. */
function flatten(attrs: Record<string, JsonValue>, prefix = "", out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
      flatten(value, `${prefix}${key}.`, out);
    } else {
      out.set(prefix + key, value);
    }
  }
  return out;
}

/** RFC 4180: quoted when it holds a comma, quote or line break; lists and objects as JSON. */
function cell(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
