import { describe, expect, it } from "vitest";
import {
  cholesky,
  choleskyInverse,
  choleskyLogDet,
  choleskySolve,
  choleskyWithJitter,
} from "../../../server/src/optimization/linalg/cholesky";
import { symmetricEigen } from "../../../server/src/optimization/linalg/symmetricEigen";
import { Rng } from "../../../server/src/optimization";

function randomSpd(n: number, rng: Rng): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}

function matVec(a: Float64Array, n: number, x: ArrayLike<number>): number[] {
  return Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[i * n + k] * x[k];
    return s;
  });
}

describe("Cholesky", () => {
  it("factors a known matrix and solves a known system", () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]);
    const l = cholesky(a, 3);
    expect(l).not.toBeNull();
    expect(Array.from(l as Float64Array)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    // A x = b with x = (1, -2, 3).
    const x = choleskySolve(l as Float64Array, 3, [4 - 24 - 48, 12 - 74 - 129, -16 + 86 + 294]);
    expect(x[0]).toBeCloseTo(1, 12);
    expect(x[1]).toBeCloseTo(-2, 12);
    expect(x[2]).toBeCloseTo(3, 12);
    expect(choleskyLogDet(l as Float64Array, 3)).toBeCloseTo(Math.log(36), 12);
  });

  it("inverts random SPD matrices and solves them to near machine precision", () => {
    const rng = new Rng(3);
    for (const n of [1, 5, 20]) {
      const a = randomSpd(n, rng);
      const l = cholesky(a, n) as Float64Array;
      const inv = choleskyInverse(l, n);
      for (let i = 0; i < n; i++) {
        const col = Array.from({ length: n }, (_, k) => inv[k * n + i]);
        const e = matVec(a, n, col);
        for (let j = 0; j < n; j++) expect(Math.abs(e[j] - (i === j ? 1 : 0))).toBeLessThan(1e-8);
      }
      const b = Array.from({ length: n }, () => rng.normal());
      const r = matVec(a, n, choleskySolve(l, n, b));
      for (let j = 0; j < n; j++) expect(r[j]).toBeCloseTo(b[j], 8);
    }
  });

  it("refuses indefinite matrices and rescues singular ones with jitter", () => {
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
    const singular = Float64Array.from([1, 1, 1, 1]);
    expect(cholesky(singular, 2)).toBeNull();
    const { jitter } = choleskyWithJitter(singular, 2);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThan(1e-3);
  });
});

describe("symmetric eigen-decomposition", () => {
  it("reconstructs the matrix from orthonormal eigenvectors", () => {
    const rng = new Rng(9);
    const n = 7;
    const a = randomSpd(n, rng);
    const { values, vectors } = symmetricEigen(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < n; k++) {
          rec += vectors[i * n + k] * values[k] * vectors[j * n + k];
          dot += vectors[k * n + i] * vectors[k * n + j];
        }
        expect(rec).toBeCloseTo(a[i * n + j], 9);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    const diag = symmetricEigen([3, 0, 0, 1], 2).values;
    expect(Array.from(diag).sort()).toEqual([1, 3]);
  });
});
