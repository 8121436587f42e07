import { Rng } from "../../../../optimization";
import { DatasetError, type Dataset } from "./dataset";

/** One part of a split: standardised features and targets ready for tensors. */
export interface DatasetPart {
  /** Row numbers in the original data set, ascending. */
  rows: number[];
  /** rows.length x features, row-major, standardised with the training part's statistics. */
  x: Float32Array;
  /** Class index (classification) or standardised target (regression), one per row. */
  y: Float32Array;
}

export interface SplitDataset {
  kind: Dataset["kind"];
  features: number;
  /** Number of classes; 0 for regression. */
  classes: number;
  train: DatasetPart;
  validation: DatasetPart;
  test: DatasetPart;
  /** Per-feature mean and standard deviation of the training part. */
  featureMean: Float64Array;
  featureStd: Float64Array;
  /** Regression: mean and standard deviation of the training targets (to report errors in the target's own units). */
  targetMean: number;
  targetStd: number;
}

export interface SplitOptions {
  /** Seed of the shuffle that assigns rows to parts. Default 0. */
  splitSeed?: number;
  /** Fractions of rows for train, validation and test. Default [0.6, 0.2, 0.2]. */
  fractions?: [number, number, number];
}

/**
 * Splits rows into train / validation / test by a seed (stratified by class for classification,
 * so each part keeps the class proportions) and standardises features, and regression targets,
 * with statistics of the training part only: nothing of validation or test leaks into training.
 */
export function splitDataset(data: Dataset, options: SplitOptions = {}): SplitDataset {
  const fractions = options.fractions ?? [0.6, 0.2, 0.2];
  const rng = new Rng(options.splitSeed ?? 0);
  const groups: number[][] = [];
  if (data.kind === "classification") {
    for (let i = 0; i < data.rows; i++) (groups[data.targets[i]] ??= []).push(i);
  } else groups.push(Array.from({ length: data.rows }, (_, i) => i));

  const parts: number[][] = [[], [], []];
  for (const group of groups) {
    if (!group) continue;
    shuffle(group, rng);
    const nTrain = Math.round(group.length * fractions[0]);
    const nVal = Math.min(group.length - nTrain, Math.round(group.length * fractions[1]));
    parts[0].push(...group.slice(0, nTrain));
    parts[1].push(...group.slice(nTrain, nTrain + nVal));
    parts[2].push(...group.slice(nTrain + nVal));
  }
  const names = ["train", "validation", "test"];
  parts.forEach((p, k) => {
    if (p.length === 0) {
      throw new DatasetError(`the ${names[k]} part of ${data.name} is empty (${data.rows} rows); use more rows or larger task.splitFractions.`);
    }
    p.sort((a, b) => a - b);
  });

  const width = data.featureNames.length;
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (const r of parts[0]) for (let j = 0; j < width; j++) mean[j] += data.features[r * width + j];
  for (let j = 0; j < width; j++) mean[j] /= parts[0].length;
  for (const r of parts[0]) for (let j = 0; j < width; j++) std[j] += (data.features[r * width + j] - mean[j]) ** 2;
  // A constant column would divide by zero; it carries no information, so leave it centred.
  for (let j = 0; j < width; j++) std[j] = Math.sqrt(std[j] / parts[0].length) || 1;

  let targetMean = 0;
  let targetStd = 1;
  if (data.kind === "regression") {
    const ys = parts[0].map((r) => data.targets[r]);
    targetMean = ys.reduce((a, b) => a + b, 0) / ys.length;
    targetStd = Math.sqrt(ys.reduce((a, b) => a + (b - targetMean) ** 2, 0) / ys.length) || 1;
  }

  const part = (rows: number[]): DatasetPart => {
    const x = new Float32Array(rows.length * width);
    const y = new Float32Array(rows.length);
    rows.forEach((r, i) => {
      for (let j = 0; j < width; j++) x[i * width + j] = (data.features[r * width + j] - mean[j]) / std[j];
      y[i] = data.kind === "regression" ? (data.targets[r] - targetMean) / targetStd : data.targets[r];
    });
    return { rows, x, y };
  };
  return {
    kind: data.kind,
    features: width,
    classes: data.classes?.length ?? 0,
    train: part(parts[0]),
    validation: part(parts[1]),
    test: part(parts[2]),
    featureMean: mean,
    featureStd: std,
    targetMean,
    targetStd,
  };
}

function shuffle(xs: number[], rng: Rng): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
