import type { JsonValue, RawParamSpec } from "../../optimization";
import { TaskError, type TaskDefinition } from "./taskDefinition";

/** The data sets shipped in data/ at the repository root (see data/README.md). */
export const BUILTIN_DATASETS = {
  digits: { kind: "classification", rows: 1797 },
  breast_cancer: { kind: "classification", rows: 569 },
  wine: { kind: "classification", rows: 178 },
  diabetes: { kind: "regression", rows: 442 },
} as const;

export type BuiltinDatasetName = keyof typeof BUILTIN_DATASETS;
export type DatasetKind = "classification" | "regression";

/** A data set in a CSV file of the user's, as a checked task holds it. */
export interface CsvDatasetSpec {
  /** Path of the CSV file (optionally .csv.gz); a relative path is read from the worker's working directory. */
  csv: string;
  /** The target column: its name (needs a header) or its index (0-based; negative counts from the end). Default: -1, the last column. */
  target: string | number;
  /** Whether the first line names the columns. Default: "auto" (a header when a cell of the first line is not a number). */
  header: boolean | "auto";
  /**
   * Default: "auto": classification when the target column holds text labels or at most 20
   * distinct integers, else regression.
   */
  kind: DatasetKind | "auto";
}

export type DatasetSpec = BuiltinDatasetName | CsvDatasetSpec;

/** Which validation metric is the trial's objective. */
export type MlpMetric = "auto" | "valAccuracy" | "valLoss" | "valMae";

/** The fields every tfjs task shares: which data, how it is split, and the weight seed. */
export interface TfjsDataFields {
  dataset: DatasetSpec;
  /** Seed of the train / validation / test split. Default 0. */
  splitSeed: number;
  /** Fractions of the rows for train, validation and test (stratified for classification). Default [0.6, 0.2, 0.2]. */
  splitFractions: [number, number, number];
  /** Seed of the weight initialisation and shuffling; a trial uses seed + its trial number. Default 0. */
  seed: number;
}

/** A checked tfjs-mlp task, every default filled in. */
export interface TfjsMlpTask extends TfjsDataFields {
  trainer: "tfjs-mlp";
  /** Most epochs a trial trains. Default 30. */
  epochs: number;
  /** Epochs without improvement of the objective before a trial stops early; 0 turns early stopping off. Default 5. */
  patience: number;
  /** Least change of the objective that counts as an improvement. Default 0. */
  minDelta: number;
  /**
   * The objective. Default "auto": for classification valAccuracy when the study maximises, else
   * valLoss; for regression valLoss (mean squared error of the standardised target).
   */
  metric: MlpMetric;
}

const DATA_FIELDS = ["dataset", "splitSeed", "splitFractions", "seed"];
const MLP_FIELDS = ["trainer", ...DATA_FIELDS, "epochs", "patience", "minDelta", "metric"];
const MAX_SEED = 2 ** 31 - 1;

/** Checks and fills the tfjs-mlp task; the server stores what this returns. */
export function checkTfjsMlpTask(task: Record<string, JsonValue>): TfjsMlpTask {
  rejectUnknownFields(task, MLP_FIELDS, "tfjs-mlp");
  const data = checkDataFields(task);
  const metric = task.metric ?? "auto";
  if (metric !== "auto" && metric !== "valAccuracy" && metric !== "valLoss" && metric !== "valMae") {
    throw new TaskError(
      `task.metric must be "auto", "valAccuracy", "valLoss" or "valMae" (got ${JSON.stringify(metric)}).`,
      "task.metric",
    );
  }
  const kind = knownKind(data.dataset);
  if (kind === "regression" && metric === "valAccuracy") {
    throw new TaskError(
      `task.metric "valAccuracy" needs a classification data set, and this one is a regression; use "valLoss" or "valMae".`,
      "task.metric",
    );
  }
  if (kind === "classification" && metric === "valMae") {
    throw new TaskError(
      `task.metric "valMae" needs a regression data set, and this one is a classification; use "valAccuracy" or "valLoss".`,
      "task.metric",
    );
  }
  return {
    trainer: "tfjs-mlp",
    ...data,
    epochs: integerField(task, "epochs", 1, 10_000, 30),
    patience: integerField(task, "patience", 0, 10_000, 5),
    minDelta: numberField(task, "minDelta", 0, Number.MAX_VALUE, 0),
    metric,
  };
}

/** The kind of a data set when the task alone tells it (a built-in name, or a CSV with an explicit kind). */
export function knownKind(dataset: DatasetSpec): DatasetKind | null {
  if (typeof dataset === "string") return BUILTIN_DATASETS[dataset].kind;
  return dataset.kind === "auto" ? null : dataset.kind;
}

/** The data fields of any tfjs task, checked, defaults filled in. */
export function checkDataFields(task: Record<string, JsonValue>): TfjsDataFields {
  return {
    dataset: checkDataset(task.dataset),
    splitSeed: integerField(task, "splitSeed", 0, MAX_SEED, 0),
    splitFractions: checkSplitFractions(task.splitFractions),
    seed: integerField(task, "seed", 0, MAX_SEED, 0),
  };
}

function checkDataset(value: JsonValue | undefined): DatasetSpec {
  const names = Object.keys(BUILTIN_DATASETS).join(", ");
  if (value === undefined || value === null) {
    throw new TaskError(
      `task.dataset is required: a built-in data set (${names}) or { "csv": "path/to/file.csv", "target": "column" }.`,
      "task.dataset",
    );
  }
  if (typeof value === "string") {
    if (value in BUILTIN_DATASETS) return value as BuiltinDatasetName;
    throw new TaskError(
      `task.dataset "${value}" is not a built-in data set; use one of ${names}, or { "csv": "path/to/file.csv" } for a file of yours.`,
      "task.dataset",
    );
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new TaskError(
      `task.dataset must be a built-in name (${names}) or an object { "csv": "path/to/file.csv" } (got ${JSON.stringify(value)}).`,
      "task.dataset",
    );
  }
  rejectUnknownFields(value, ["csv", "target", "header", "kind"], "dataset", "task.dataset");
  if (typeof value.csv !== "string" || value.csv.trim() === "") {
    throw new TaskError(`task.dataset.csv must be the path of a CSV file (got ${JSON.stringify(value.csv)}).`, "task.dataset.csv");
  }
  const target = value.target ?? -1;
  if (!(typeof target === "string" && target !== "") && !Number.isInteger(target)) {
    throw new TaskError(
      `task.dataset.target must be a column name or a 0-based column index, -1 for the last (got ${JSON.stringify(target)}).`,
      "task.dataset.target",
    );
  }
  const header = value.header ?? "auto";
  if (header !== true && header !== false && header !== "auto") {
    throw new TaskError(`task.dataset.header must be true, false or "auto" (got ${JSON.stringify(header)}).`, "task.dataset.header");
  }
  const kind = value.kind ?? "auto";
  if (kind !== "classification" && kind !== "regression" && kind !== "auto") {
    throw new TaskError(
      `task.dataset.kind must be "classification", "regression" or "auto" (got ${JSON.stringify(kind)}).`,
      "task.dataset.kind",
    );
  }
  return { csv: value.csv, target: target as string | number, header, kind };
}

function checkSplitFractions(value: JsonValue | undefined): [number, number, number] {
  if (value === undefined || value === null) return [0.6, 0.2, 0.2];
  const ok =
    Array.isArray(value) &&
    value.length === 3 &&
    value.every((f) => typeof f === "number" && f > 0 && f < 1) &&
    Math.abs((value as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-6;
  if (!ok) {
    throw new TaskError(
      `task.splitFractions must be three fractions above 0 for train, validation and test that add up to 1, e.g. [0.6, 0.2, 0.2] (got ${JSON.stringify(value)}).`,
      "task.splitFractions",
    );
  }
  return value as [number, number, number];
}

/** Reads an integer field in [min, max], or its default when absent. */
export function integerField(task: Record<string, JsonValue>, name: string, min: number, max: number, fallback: number): number {
  const value = task[name] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TaskError(`task.${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)}).`, `task.${name}`);
  }
  return value;
}

/** Reads a number field in [min, max], or its default when absent. */
export function numberField(task: Record<string, JsonValue>, name: string, min: number, max: number, fallback: number): number {
  const value = task[name] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.MAX_VALUE ? `a number of at least ${min}` : `a number from ${min} to ${max}`;
    throw new TaskError(`task.${name} must be ${range} (got ${JSON.stringify(value)}).`, `task.${name}`);
  }
  return value;
}

/** A misspelt field would otherwise be ignored silently and its default used. */
export function rejectUnknownFields(
  object: { [key: string]: JsonValue },
  known: string[],
  what: string,
  path = "task",
): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new TaskError(`${path}.${key} is not a field of a ${what} task; the fields are ${known.join(", ")}.`, `${path}.${key}`);
    }
  }
}

/**
 * The search space of a tfjs-mlp study declared without one: the usual suspects of a small MLP.
 * Batch sizes stay below half the training rows of a built-in data set, so an epoch has at least
 * two steps.
 */
export function tfjsMlpSearchSpace(task: Record<string, JsonValue>): RawParamSpec[] {
  const { dataset, splitFractions } = checkTfjsMlpTask(task);
  const trainRows = typeof dataset === "string" ? Math.floor(BUILTIN_DATASETS[dataset].rows * splitFractions[0]) : Infinity;
  const batchSizes = [16, 32, 64, 128, 256].filter((b) => b <= trainRows / 2);
  return [
    { name: "learningRate", type: "FLOAT", low: 1e-4, high: 1e-1, log: true },
    { name: "batchSize", type: "CATEGORICAL", choices: batchSizes.length > 0 ? batchSizes : [8] },
    { name: "layers", type: "INT", low: 1, high: 3 },
    { name: "units", type: "INT", low: 16, high: 256, log: true },
    { name: "dropout", type: "FLOAT", low: 0, high: 0.5 },
    { name: "activation", type: "CATEGORICAL", choices: ["relu", "tanh", "elu"] },
    { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "adamw", "rmsprop", "momentum", "adam-hd", "sgd-hd"] },
    { name: "weightDecay", type: "FLOAT", low: 1e-6, high: 1e-2, log: true },
  ];
}

/** The server's half of the tfjs-mlp trainer. */
export const tfjsMlpTask: TaskDefinition = {
  trainer: "tfjs-mlp",
  check: (task) => checkTfjsMlpTask(task) as unknown as Record<string, JsonValue>,
  defaultSearchSpace: tfjsMlpSearchSpace,
  evaluatesBestTrial: true,
};
