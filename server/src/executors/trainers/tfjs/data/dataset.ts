import type { DatasetKind } from "../../../tasks/tfjsMlpTask";

/** A whole data set in memory, before splitting: numeric features and one target per row. */
export interface Dataset {
  /** The built-in name or the CSV path. */
  name: string;
  kind: DatasetKind;
  rows: number;
  featureNames: string[];
  /** rows x featureNames.length, row-major. */
  features: Float64Array;
  /** Class index 0..classes.length-1 for classification; the value for regression. */
  targets: Float64Array;
  targetName: string;
  /** Class labels as the file writes them (classification), else null. */
  classes: string[] | null;
}

/** A data set that cannot be read or used; the message says what to fix. */
export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DatasetError";
  }
}
