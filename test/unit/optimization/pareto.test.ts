import { describe, expect, it } from "vitest";
import { Rng } from "../../../server/src/optimization";
import { dominates, paretoFront } from "../../../server/src/optimization/pareto";

describe("Pareto front", () => {
  it("respects each objective's direction", () => {
    expect(dominates([1, 5], [2, 4], ["MINIMIZE", "MAXIMIZE"])).toBe(true);
    expect(dominates([1, 5], [2, 4], ["MINIMIZE", "MINIMIZE"])).toBe(false);
    expect(dominates([1, 1], [1, 1], ["MINIMIZE", "MINIMIZE"])).toBe(false);
  });

  it("finds a point dominated only through a tie in the first objective", () => {
    expect(paretoFront([[1, 5], [1, 3]], ["MINIMIZE", "MINIMIZE"])).toEqual([1]);
  });

  it("agrees with the brute-force definition on random clouds", () => {
    const rng = new Rng(11);
    for (let round = 0; round < 20; round++) {
      const pts = Array.from({ length: 60 }, () => [rng.int(0, 9), rng.int(0, 9), rng.int(0, 9)]);
      const dirs = ["MINIMIZE", "MAXIMIZE", "MINIMIZE"] as const;
      const brute = pts.map((_, i) => i).filter((i) => !pts.some((q) => dominates(q, pts[i], [...dirs])));
      expect(paretoFront(pts, [...dirs])).toEqual(brute);
    }
  });
});
