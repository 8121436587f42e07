import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { projectRoot } from "../../../../paths";
import type { CsvDatasetSpec, DatasetKind, DatasetSpec } from "../../../tasks/tfjsMlpTask";
import { parseCsv, parseNumber } from "./csvText";
import { DatasetError, type Dataset } from "./dataset";

/** Above this many distinct integer targets, "auto" takes a column for a regression target. */
const MAX_AUTO_CLASSES = 20;
/** A classification target with more distinct values than this is almost surely a mistake. */
const MAX_CLASSES = 1000;
const MIN_ROWS = 10;

/** Where the built-in data sets live: data/ at the repository root. */
export function dataFolder(): string {
  return path.join(projectRoot(), "data");
}

/**
 * Reads a built-in data set by name or a user's CSV file (a relative path is read from `cwd`,
 * default the process's working directory). Throws DatasetError saying what to fix.
 */
export function loadDataset(spec: DatasetSpec, options: { cwd?: string } = {}): Dataset {
  if (typeof spec === "string") return loadBuiltin(spec);
  return loadCsvDataset(spec, options.cwd ?? process.cwd());
}

function readText(file: string): string {
  const bytes = readFileSync(file);
  return (file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8");
}

function loadBuiltin(name: string): Dataset {
  const dir = dataFolder();
  switch (name) {
    case "digits": {
      const rows = parseCsv(readText(path.join(dir, "digits.csv.gz"))).map((r) => r.cells);
      const names = Array.from({ length: 64 }, (_, i) => `pixel_${Math.floor(i / 8)}_${i % 8}`);
      return numericTable(name, rows, names, "digit", "classification", null);
    }
    case "breast_cancer":
    case "wine": {
      // The first line holds the row and feature counts, then the class names.
      const [meta, ...rows] = parseCsv(readText(path.join(dir, name === "wine" ? "wine_data.csv" : "breast_cancer.csv"))).map(
        (r) => r.cells,
      );
      const features = Number(meta[1]);
      const names = Array.from({ length: features }, (_, i) => `feature_${i}`);
      return numericTable(name, rows, names, "class", "classification", meta.slice(2));
    }
    case "diabetes": {
      const split = (text: string) =>
        text
          .split("\n")
          .map((l) => l.trim())
          .filter((l) => l !== "")
          .map((l) => l.split(/\s+/));
      const x = split(readText(path.join(dir, "diabetes_data_raw.csv.gz")));
      const y = split(readText(path.join(dir, "diabetes_target.csv.gz")));
      const names = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"];
      return numericTable(name, x.map((r, i) => [...r, y[i][0]]), names, "progression", "regression", null);
    }
    default:
      throw new DatasetError(`"${name}" is not a built-in data set; use digits, breast_cancer, wine or diabetes.`);
  }
}

/** Rows of numeric cells, the target last. */
function numericTable(
  name: string,
  rows: string[][],
  featureNames: string[],
  targetName: string,
  kind: DatasetKind,
  classes: string[] | null,
): Dataset {
  const width = featureNames.length;
  const features = new Float64Array(rows.length * width);
  const targets = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    for (let j = 0; j < width; j++) features[i * width + j] = Number(r[j]);
    targets[i] = Number(r[width]);
  });
  const classCount = kind === "classification" ? Math.max(...targets) + 1 : 0;
  return {
    name,
    kind,
    rows: rows.length,
    featureNames,
    features,
    targets,
    targetName,
    classes: kind === "classification" ? (classes ?? Array.from({ length: classCount }, (_, c) => String(c))) : null,
  };
}

function loadCsvDataset(spec: CsvDatasetSpec, cwd: string): Dataset {
  const file = path.resolve(cwd, spec.csv);
  if (!existsSync(file)) {
    throw new DatasetError(`CSV file ${file} does not exist; check task.dataset.csv (a relative path is read from ${cwd}).`);
  }
  const rows = parseCsv(readText(file));
  if (rows.length === 0) throw new DatasetError(`CSV file ${file} is empty.`);
  const width = rows[0].cells.length;
  if (width < 2) {
    throw new DatasetError(`CSV file ${file} has one column; it needs at least one feature column and the target column, separated by commas.`);
  }
  for (const row of rows) {
    if (row.cells.length !== width) {
      throw new DatasetError(`CSV file ${file}, line ${row.line}: ${row.cells.length} cells where the first line has ${width}.`);
    }
  }
  const header = spec.header === "auto" ? looksLikeHeader(rows.map((r) => r.cells)) : spec.header;
  const names = header ? rows[0].cells.map((c, i) => c || `column_${i}`) : rows[0].cells.map((_, i) => `column_${i}`);
  const body = header ? rows.slice(1) : rows;
  const target = targetColumn(spec.target, names, header, file);
  if (body.length < MIN_ROWS) {
    throw new DatasetError(`CSV file ${file} has ${body.length} data rows; it needs at least ${MIN_ROWS} to split into train, validation and test.`);
  }

  const featureColumns = names.map((_, i) => i).filter((i) => i !== target);
  const features = new Float64Array(body.length * featureColumns.length);
  body.forEach((row, i) => {
    featureColumns.forEach((c, j) => {
      const value = parseNumber(row.cells[c]);
      if (value === null) {
        throw new DatasetError(
          `CSV file ${file}, line ${row.line}, column "${names[c]}": ${JSON.stringify(row.cells[c])} is not a number; ` +
            `every column but the target must be numeric (fill in or drop missing values, encode categories as numbers).`,
        );
      }
      features[i * featureColumns.length + j] = value;
    });
  });

  const raw = body.map((r) => r.cells[target]);
  const numbers = raw.map(parseNumber);
  const allNumeric = numbers.every((v) => v !== null);
  const distinct = new Set(raw);
  let kind: DatasetKind;
  if (spec.kind !== "auto") kind = spec.kind;
  else kind = !allNumeric || (numbers.every((v) => Number.isInteger(v)) && distinct.size <= MAX_AUTO_CLASSES) ? "classification" : "regression";

  const base = { name: spec.csv, rows: body.length, featureNames: featureColumns.map((c) => names[c]), features, targetName: names[target] };
  if (kind === "regression") {
    if (!allNumeric) {
      const bad = numbers.findIndex((v) => v === null);
      throw new DatasetError(
        `CSV file ${file}, line ${body[bad].line}: target "${names[target]}" is ${JSON.stringify(raw[bad])}, not a number, and a regression needs numbers; set task.dataset.kind to "classification" for labels.`,
      );
    }
    return { ...base, kind, targets: Float64Array.from(numbers as number[]), classes: null };
  }
  if (distinct.size < 2) {
    throw new DatasetError(`CSV file ${file}: target "${names[target]}" holds a single class; a classification needs at least two.`);
  }
  if (distinct.size > MAX_CLASSES) {
    throw new DatasetError(
      `CSV file ${file}: target "${names[target]}" holds ${distinct.size} distinct values, too many classes; set task.dataset.kind to "regression" or pick another target column.`,
    );
  }
  const classes = [...distinct].sort(allNumeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(classes.map((c, i) => [c, i]));
  return { ...base, kind, targets: Float64Array.from(raw, (c) => index.get(c)!), classes };
}

/** A header when a cell of the first line is not a number though the cell below it is, or when no cell of it is one. */
function looksLikeHeader(rows: string[][]): boolean {
  if (rows.length < 2) return false;
  const [first, second] = rows;
  if (first.every((c) => parseNumber(c) === null)) return true;
  return first.some((c, i) => parseNumber(c) === null && parseNumber(second[i]) !== null);
}

function targetColumn(target: string | number, names: string[], header: boolean, file: string): number {
  if (typeof target === "number") {
    const index = target < 0 ? names.length + target : target;
    if (index < 0 || index >= names.length) {
      throw new DatasetError(`task.dataset.target ${target} is outside the ${names.length} columns of ${file}; use 0..${names.length - 1} or -1 for the last.`);
    }
    return index;
  }
  const index = names.indexOf(target);
  if (index >= 0) return index;
  if (!header) {
    throw new DatasetError(`task.dataset.target "${target}" is a column name, but ${file} has no header line; give the column's index instead.`);
  }
  const shown = names.slice(0, 20).map((n) => JSON.stringify(n)).join(", ");
  throw new DatasetError(`task.dataset.target "${target}" is not a column of ${file}; its columns are ${shown}${names.length > 20 ? ", ..." : ""}.`);
}
