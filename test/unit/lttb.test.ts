import { describe, expect, it } from "vitest";
import { lttb } from "../../server/src/studies/lttb";

const series = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, step) => ({ step, value: f(step) }));

describe("LTTB downsampling", () => {
  it("returns short series unchanged", () => {
    const s = series(10, (i) => i);
    expect(lttb(s, 20)).toBe(s);
  });

  it("keeps the ends, the size asked for, and order", () => {
    const out = lttb(series(10_000, (i) => Math.sin(i / 100)), 500);
    expect(out).toHaveLength(500);
    expect(out[0].step).toBe(0);
    expect(out.at(-1)!.step).toBe(9_999);
    for (let i = 1; i < out.length; i++) expect(out[i].step).toBeGreaterThan(out[i - 1].step);
  });

  it("keeps isolated spikes that striding would drop", () => {
    const spikes = new Set([1_111, 4_567, 8_888]);
    const out = lttb(series(10_000, (i) => (spikes.has(i) ? 10 : Math.exp(-i / 3000))), 200);
    for (const s of spikes) expect(out.some((p) => p.step === s)).toBe(true);
    const strided = series(10_000, (i) => i).filter((_, i) => i % 50 === 0);
    expect(strided.some((p) => spikes.has(p.step))).toBe(false);
  });
});
