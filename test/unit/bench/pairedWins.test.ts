import { describe, expect, it } from "vitest";
import { pairedWins } from "../../../bench/support/stats";

describe("pairedWins (the sign test of the benchmarks' seed-by-seed comparisons)", () => {
  it("counts wins and losses, smaller being better, and leaves ties out of the test", () => {
    const r = pairedWins([1, 2, 3, 4], [2, 1, 3, 5]);
    expect(r).toMatchObject({ wins: 2, losses: 1 });
    // P(X >= 2) for X ~ Binomial(3, 1/2) = (3 + 1) / 8.
    expect(r.p).toBeCloseTo(0.5, 12);
  });

  it("gives the exact binomial tail", () => {
    const ours = Array.from({ length: 30 }, (_, i) => (i < 22 ? 0 : 1));
    const theirs = Array.from({ length: 30 }, () => 0.5);
    // sum_{k=22}^{30} C(30, k) / 2^30
    let tail = 0;
    let c = 1;
    for (let k = 0; k <= 30; k++) {
      if (k >= 22) tail += c;
      c = (c * (30 - k)) / (k + 1);
    }
    expect(pairedWins(ours, theirs).p).toBeCloseTo(tail / 2 ** 30, 12);
    expect(pairedWins(ours, theirs).p).toBeGreaterThan(0.008);
    expect(pairedWins(ours, theirs).p).toBeLessThan(0.009);
  });

  it("is 1 when nothing was won, and 1 with nothing to compare", () => {
    expect(pairedWins([2, 2], [1, 1]).p).toBe(1);
    expect(pairedWins([1], [1]).p).toBe(1);
  });
});
