import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { CsvDatasetSpec } from "../../../server/src/executors/tasks/tfjsMlpTask";
import { DatasetError } from "../../../server/src/executors/trainers/tfjs/data/dataset";
import { loadDataset } from "../../../server/src/executors/trainers/tfjs/data/loadDataset";
import { splitDataset, type SplitDataset } from "../../../server/src/executors/trainers/tfjs/data/splitDataset";

const dir = mkdtempSync(path.join(os.tmpdir(), "graphtune-tfjs-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string, spec: Partial<CsvDatasetSpec> = {}): CsvDatasetSpec {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return { csv: file, target: -1, header: "auto", kind: "auto", ...spec };
}

const allRows = (s: SplitDataset) => [...s.train.rows, ...s.validation.rows, ...s.test.rows];

describe("built-in data sets", () => {
  it.each([
    ["digits", 1797, 64, "classification", 10],
    ["breast_cancer", 569, 30, "classification", 2],
    ["wine", 178, 13, "classification", 3],
    ["diabetes", 442, 10, "regression", 0],
  ] as const)("%s loads with %i rows of %i features", (name, rows, features, kind, classes) => {
    const data = loadDataset(name);
    expect(data.rows).toBe(rows);
    expect(data.featureNames).toHaveLength(features);
    expect(data.features).toHaveLength(rows * features);
    expect(data.kind).toBe(kind);
    expect(data.classes?.length ?? 0).toBe(classes);
    expect(data.features.every(Number.isFinite)).toBe(true);
    if (kind === "classification") expect(new Set(data.targets).size).toBe(classes);
  });
});

describe("splitDataset", () => {
  const wine = loadDataset("wine");

  it("makes disjoint parts that cover every row, in the asked proportions", () => {
    const split = splitDataset(wine, { splitSeed: 3 });
    const rows = allRows(split);
    expect(new Set(rows).size).toBe(wine.rows);
    expect(rows).toHaveLength(wine.rows);
    expect(split.train.rows.length / wine.rows).toBeCloseTo(0.6, 1);
    expect(split.validation.rows.length / wine.rows).toBeCloseTo(0.2, 1);
  });

  it("is the same for the same seed and differs for another", () => {
    const a = splitDataset(wine, { splitSeed: 1 });
    const b = splitDataset(wine, { splitSeed: 1 });
    const c = splitDataset(wine, { splitSeed: 2 });
    expect(b.train.rows).toEqual(a.train.rows);
    expect(b.test.rows).toEqual(a.test.rows);
    expect(c.train.rows).not.toEqual(a.train.rows);
  });

  it("keeps each class's share in every part (stratified)", () => {
    const split = splitDataset(wine, { splitSeed: 5 });
    const share = (rows: number[], c: number) => rows.filter((r) => wine.targets[r] === c).length / rows.length;
    for (let c = 0; c < 3; c++) {
      const overall = share(Array.from({ length: wine.rows }, (_, i) => i), c);
      for (const part of [split.train, split.validation, split.test]) expect(Math.abs(share(part.rows, c) - overall)).toBeLessThan(0.03);
    }
  });

  it("standardises with the training part's statistics only", () => {
    const split = splitDataset(wine, { splitSeed: 0 });
    const width = split.features;
    const columnMean = (x: Float32Array, j: number) => {
      let s = 0;
      for (let i = j; i < x.length; i += width) s += x[i];
      return s / (x.length / width);
    };
    for (let j = 0; j < width; j++) expect(Math.abs(columnMean(split.train.x, j))).toBeLessThan(1e-4);
    // The statistics are those of the training rows, not of all rows.
    const trainMean = split.train.rows.reduce((s, r) => s + wine.features[r * width], 0) / split.train.rows.length;
    const allMean = wine.targets.reduce((s, _, r) => s + wine.features[r * width], 0) / wine.rows;
    expect(split.featureMean[0]).toBeCloseTo(trainMean, 6);
    expect(split.featureMean[0]).not.toBeCloseTo(allMean, 6);
    // Changing a test row must not change how training rows are scaled.
    const changed = { ...wine, features: Float64Array.from(wine.features) };
    changed.features[split.test.rows[0] * width] += 1000;
    expect(splitDataset(changed, { splitSeed: 0 }).train.x).toEqual(split.train.x);
  });

  it("standardises a regression target by the training part", () => {
    const split = splitDataset(loadDataset("diabetes"), { splitSeed: 0 });
    const mean = split.train.y.reduce((a, b) => a + b, 0) / split.train.y.length;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(split.targetStd).toBeGreaterThan(10);
  });
});

describe("user CSV files", () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 5}.5,${i % 2 ? "yes" : "no"},${i / 10}`);

  it("reads a header and a target column by name, with text labels", () => {
    const data = loadDataset(csv("named.csv", ["a,b,label,c", ...rows].join("\n"), { target: "label" }));
    expect(data.rows).toBe(30);
    expect(data.featureNames).toEqual(["a", "b", "c"]);
    expect(data.kind).toBe("classification");
    expect(data.classes).toEqual(["no", "yes"]);
    expect(data.features.slice(0, 3)).toEqual(Float64Array.from([0, 0.5, 0]));
    expect(data.targets[1]).toBe(1);
  });

  it("detects a file without header and takes the last column as target; many distinct numbers make a regression", () => {
    const data = loadDataset(csv("plain.csv", rows.map((r) => r.replace(/yes|no/, "1")).join("\r\n") + "\r\n"));
    expect(data.rows).toBe(30);
    expect(data.kind).toBe("regression");
    expect(data.targets[29]).toBeCloseTo(2.9);
  });

  it("takes few distinct integer targets for classes", () => {
    const data = loadDataset(csv("ints.csv", ["x,y", ...Array.from({ length: 20 }, (_, i) => `${i},${(i % 3) + 1}`)].join("\n")));
    expect(data.kind).toBe("classification");
    expect(data.classes).toEqual(["1", "2", "3"]);
  });

  it("reads quoted cells", () => {
    const text = ['"width, cm",label', ...Array.from({ length: 12 }, (_, i) => `"${i}.5","class ""${i % 2}"""`)].join("\n");
    const data = loadDataset(csv("quoted.csv", text));
    expect(data.featureNames).toEqual(["width, cm"]);
    expect(data.classes).toEqual(['class "0"', 'class "1"']);
  });

  it.each([
    ["a missing file", () => loadDataset({ csv: path.join(dir, "nope.csv"), target: -1, header: "auto", kind: "auto" }), /does not exist/],
    ["an unknown target column", () => loadDataset(csv("t.csv", ["a,b,label,c", ...rows].join("\n"), { target: "species" })), /"species" is not a column .* its columns are "a", "b", "label", "c"/],
    ["a text feature", () => loadDataset(csv("f.csv", ["a,b,label", ...Array.from({ length: 12 }, (_, i) => `${i},${i === 4 ? "n/a" : i},c${i % 2}`)].join("\n"))), /line 6, column "b": "n\/a" is not a number/],
    ["ragged rows", () => loadDataset(csv("r.csv", ["a,b,c", "1,2,3", "1,2"].join("\n"))), /line 3: 2 cells where the first line has 3/],
    ["too few rows", () => loadDataset(csv("s.csv", ["a,b", "1,2", "3,4"].join("\n"))), /at least 10/],
    ["text labels for a regression", () => loadDataset(csv("g.csv", ["a,b,label,c", ...rows].join("\n"), { target: "label", kind: "regression" })), /not a number, and a regression needs numbers/],
    ["a missing value", () => loadDataset(csv("m.csv", ["a,b", "1,", ...Array.from({ length: 12 }, (_, i) => `${i},${i}`)].join("\n"), { target: 0 })), /column "b": "" is not a number/],
  ])("explains %s", (_, load, message) => {
    expect(load).toThrow(DatasetError);
    expect(load).toThrow(message);
  });
});
