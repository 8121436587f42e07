import type { Tensor1D, Tensor2D } from "@tensorflow/tfjs";
import type { TfjsDataFields } from "../../tasks/tfjsMlpTask";
import type { Tf } from "./backend";
import { loadDataset } from "./data/loadDataset";
import { splitDataset, type DatasetPart, type SplitDataset } from "./data/splitDataset";

/** One part of a split as tensors. */
export interface PartTensors {
  rows: number;
  x: Tensor2D;
  /** One-hot classes (classification) or the standardised target as a column (regression). */
  y: Tensor2D;
  /** Class indices (classification only), for accuracy. */
  labels: Tensor1D | null;
}

export interface DatasetTensors {
  kind: SplitDataset["kind"];
  features: number;
  /** Outputs of the network: the number of classes, or 1 for regression. */
  outputs: number;
  /** Regression: the target's standard deviation in the training part, to report errors in its own units. */
  targetStd: number;
  train: PartTensors;
  validation: PartTensors;
  test: PartTensors;
}

/**
 * Data sets as tensors, kept between trials (most searches run every trial on the same split).
 * Holds the `capacity` most recently used; `dispose` frees them all.
 */
export class DatasetCache {
  private readonly entries = new Map<string, DatasetTensors>();

  constructor(
    private readonly tf: Tf,
    /** How many distinct data sets or splits stay in memory. Default 4. */
    private readonly capacity = 4,
  ) {}

  get(fields: TfjsDataFields): DatasetTensors {
    const key = JSON.stringify([fields.dataset, fields.splitSeed, fields.splitFractions, typeof fields.dataset === "string" ? "" : process.cwd()]);
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const split = splitDataset(loadDataset(fields.dataset), { splitSeed: fields.splitSeed, fractions: fields.splitFractions });
    const tensors = this.toTensors(split);
    this.entries.set(key, tensors);
    while (this.entries.size > this.capacity) {
      const [oldest, value] = this.entries.entries().next().value as [string, DatasetTensors];
      disposeDataset(value);
      this.entries.delete(oldest);
    }
    return tensors;
  }

  dispose(): void {
    for (const value of this.entries.values()) disposeDataset(value);
    this.entries.clear();
  }

  private toTensors(split: SplitDataset): DatasetTensors {
    const tf = this.tf;
    const part = (p: DatasetPart): PartTensors => {
      const rows = p.rows.length;
      const x = tf.tensor2d(p.x, [rows, split.features]);
      if (split.kind === "regression") return { rows, x, y: tf.tensor2d(p.y, [rows, 1]), labels: null };
      const labels = tf.tensor1d(Int32Array.from(p.y), "int32");
      return { rows, x, y: tf.tidy(() => tf.oneHot(labels, split.classes).toFloat() as Tensor2D), labels };
    };
    return {
      kind: split.kind,
      features: split.features,
      outputs: split.kind === "regression" ? 1 : split.classes,
      targetStd: split.targetStd,
      train: part(split.train),
      validation: part(split.validation),
      test: part(split.test),
    };
  }
}

function disposeDataset(d: DatasetTensors): void {
  for (const p of [d.train, d.validation, d.test]) {
    p.x.dispose();
    p.y.dispose();
    p.labels?.dispose();
  }
}
