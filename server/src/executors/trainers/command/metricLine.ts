/** Largest step the API stores (GraphQL Int). */
const MAX_STEP = 2 ** 31 - 1;

/** One step's metrics from a line such as `{"step": 3, "loss": 0.41, "accuracy": 0.88}`. */
export interface StepMetrics {
  step: number;
  /** The objective's key on this line, and its value (NaN or ±Infinity possible: see `nonFinite`). */
  objectiveKey: string;
  objective: number;
  /** Every other finite number on the line, by key. */
  metrics: Record<string, number>;
}

/** What a line of output means to the trainer. */
export interface MetricLine {
  /** A step to report. */
  report?: StepMetrics;
  /** The trial's final values, from `{"final": 0.37}` or `{"values": [0.37, 12]}`. */
  final?: number[];
  /**
   * A line that looks meant as metrics but cannot be used, and why (e.g. no objective key): said
   * to the user when the trial ends without an objective.
   */
  unusable?: string;
}

/**
 * Reads one line of output. Returns null for ordinary output (anything but a JSON object with a
 * `step`, `epoch`, `final` or `values` key). Python's `json.dumps` writes NaN and Infinity bare;
 * those are read as numbers, so a diverging run is seen as such instead of as plain text.
 *
 * @param objectiveKey the task's `objective`; "objective" falls back to "loss" on a line without it.
 */
export function parseMetricLine(line: string, objectiveKey: string): MetricLine | null {
  const text = line.trim();
  if (!text.startsWith("{") || !text.endsWith("}")) return null;
  const object = parseJsonObject(text);
  if (!object) return null;
  const stepKey = "step" in object ? "step" : "epoch" in object ? "epoch" : null;
  const result: MetricLine = {};

  const final = readFinal(object);
  if (final === "invalid") result.unusable = `a final line must be {"final": <number>} or {"values": [<number>, ...]}: ${clip(text)}`;
  else if (final) result.final = final;

  if (stepKey) {
    const step = toNumber(object[stepKey]);
    const key = objectiveKey === "objective" && !("objective" in object) ? "loss" : objectiveKey;
    const objective = toNumber(object[key]);
    if (step === undefined || !Number.isInteger(step) || step < 0 || step > MAX_STEP) {
      result.unusable = `"${stepKey}" must be a whole number from 0 (got ${JSON.stringify(object[stepKey])}): ${clip(text)}`;
    } else if (objective === undefined) {
      if (result.final) return result;
      const wanted = key === "loss" ? '"objective" or "loss"' : `"${key}"`;
      result.unusable = `a metric line has no numeric ${wanted} (keys: ${Object.keys(object).join(", ")}); set task.objective to the key to optimise: ${clip(text)}`;
    } else {
      const metrics: Record<string, number> = {};
      for (const [name, value] of Object.entries(object)) {
        if (name === stepKey || name === key || name === "final" || name === "values") continue;
        const n = toNumber(value);
        if (n !== undefined && Number.isFinite(n)) metrics[name] = n;
      }
      result.report = { step, objectiveKey: key, objective, metrics };
    }
  }
  return result.report || result.final || result.unusable ? result : null;
}

function readFinal(object: Record<string, unknown>): number[] | "invalid" | undefined {
  const raw = "final" in object ? object.final : "values" in object ? object.values : undefined;
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? raw : [raw];
  const values = list.map(toNumber);
  if (values.length === 0 || values.some((v) => v === undefined)) return "invalid";
  return values as number[];
}

/** A JSON number, or one of the bare NaN / Infinity tokens Python writes (read here as strings). */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value === "NaN") return NaN;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return undefined;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!/NaN|Infinity/.test(text)) return null;
    try {
      parsed = JSON.parse(text.replace(/(-?)\b(NaN|Infinity)\b/g, '"$1$2"'));
    } catch {
      return null;
    }
  }
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
