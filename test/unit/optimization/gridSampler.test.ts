import { describe, expect, it } from "vitest";
import { InvalidSpaceError, SearchSpaceExhaustedError, createSampler, parseSearchSpace } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, StudyView, TrialState, TrialView } from "../../../server/src/optimization";

function trial(number: number, params: Record<string, JsonValue>, space: ParamSpec[], state: TrialState): TrialView {
  const distributions = Object.fromEntries(space.filter((s) => s.name in params).map((s) => [s.name, s]));
  return { number, state, params, distributions, values: state === "COMPLETE" ? [number] : null, intermediateValues: [] };
}

/** Asks until the sampler refuses; returns the points and the error that ended the walk. */
function drain(space: ParamSpec[], options: Record<string, JsonValue> = {}, seed = 3, start: TrialView[] = []) {
  const sampler = createSampler({ type: "GRID", seed, options });
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: start.slice() };
  const states: TrialState[] = ["COMPLETE", "RUNNING", "FAIL", "PRUNED"];
  let state: JsonValue | null = null;
  const points: Record<string, JsonValue>[] = [];
  for (let n = start.length; n < 10_000; n++) {
    try {
      const out = sampler.sampleRelative({ study, trialNumber: n, state });
      if (out.state !== undefined) state = out.state;
      points.push(out.params);
      study.trials.push(trial(n, out.params, space, states[n % states.length]));
    } catch (error) {
      return { points, error };
    }
  }
  throw new Error("grid never ran out");
}

const key = (p: Record<string, JsonValue>) => JSON.stringify(Object.entries(p).sort());

describe("GRID sampler", () => {
  const space = parseSearchSpace([
    { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
    { name: "layers", type: "INT", low: 1, high: 4 },
    { name: "dropout", type: "FLOAT", low: 0, high: 0.5, step: 0.25 },
  ]);

  it("visits every grid point exactly once, whatever the trial states, then says the grid is exhausted", () => {
    const { points, error } = drain(space);
    expect(points).toHaveLength(3 * 4 * 3);
    expect(new Set(points.map(key)).size).toBe(36);
    for (const p of points) {
      expect(["adam", "sgd", "rmsprop"]).toContain(p.opt);
      expect([1, 2, 3, 4]).toContain(p.layers);
      expect([0, 0.25, 0.5]).toContain(p.dropout);
    }
    expect(error).toBeInstanceOf(SearchSpaceExhaustedError);
    expect((error as Error).message).toMatch(/all 36 grid points/);
  });

  it("shuffles the order by seed, deterministically", () => {
    const a = drain(space, {}, 1).points.map(key);
    const again = drain(space, {}, 1).points.map(key);
    const b = drain(space, {}, 2).points.map(key);
    expect(again).toEqual(a);
    expect(b).not.toEqual(a);
    expect(new Set(b)).toEqual(new Set(a));
  });

  it("skips points already held by trials, even without saved state (enqueued or lost state)", () => {
    const taken = [trial(0, { opt: "sgd", layers: 2, dropout: 0.25 }, space, "RUNNING"), trial(1, { opt: "adam", layers: 1, dropout: 0 }, space, "WAITING")];
    const { points } = drain(space, {}, 5, taken);
    expect(points).toHaveLength(34);
    expect(points.map(key)).not.toContain(key(taken[0].params));
    expect(points.map(key)).not.toContain(key(taken[1].params));
  });

  it("uses explicit value lists and refuses values outside the declared range", () => {
    const { points } = drain(space, { searchSpace: { layers: [2, 4], dropout: [0.5] } });
    expect(points).toHaveLength(3 * 2 * 1);
    expect(new Set(points.map((p) => p.layers))).toEqual(new Set([2, 4]));
    const refused = drain(space, { searchSpace: { layers: [9] } });
    expect(refused.points).toHaveLength(0);
    expect(refused.error).toBeInstanceOf(InvalidSpaceError);
    expect((refused.error as InvalidSpaceError).field).toBe("sampler.options.searchSpace.layers");
  });

  it("needs gridPoints or a list for a continuous float, and then spans its whole range", () => {
    const continuous = parseSearchSpace([{ name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true }]);
    const refused = drain(continuous);
    expect(refused.error).toBeInstanceOf(InvalidSpaceError);
    expect((refused.error as Error).message).toMatch(/gridPoints/);
    const { points } = drain(continuous, { gridPoints: 5 });
    const values = points.map((p) => p.lr as number).sort((a, b) => a - b);
    expect(values[0]).toBe(1e-4);
    expect(values[4]).toBe(1);
    expect(values[2]).toBeCloseTo(1e-2, 10);
  });

  it("expands conditional parameters only under the parent values that activate them", () => {
    const conditional = parseSearchSpace([
      { name: "model", type: "CATEGORICAL", choices: ["svm", "tree"] },
      { name: "C", type: "INT", low: 1, high: 3, condition: { param: "model", values: ["svm"] } },
      { name: "depth", type: "INT", low: 1, high: 2, condition: { param: "model", values: ["tree"] } },
      { name: "seed", type: "CATEGORICAL", choices: [0, 1] },
    ]);
    const { points, error } = drain(conditional);
    expect(points).toHaveLength((3 + 2) * 2);
    expect(new Set(points.map(key)).size).toBe(10);
    for (const p of points) {
      if (p.model === "svm") expect(Object.keys(p).sort()).toEqual(["C", "model", "seed"]);
      else expect(Object.keys(p).sort()).toEqual(["depth", "model", "seed"]);
    }
    expect(error).toBeInstanceOf(SearchSpaceExhaustedError);
  });

  it("handles grids far too large to list, without repeats", () => {
    const big = parseSearchSpace(Array.from({ length: 5 }, (_, i) => ({ name: `p${i}`, type: "INT", low: 0, high: 999 })));
    const sampler = createSampler({ type: "GRID", seed: 9, options: {} });
    const study: StudyView = { directions: ["MINIMIZE"], searchSpace: big, trials: [] };
    let state: JsonValue | null = null;
    const seen = new Set<string>();
    for (let n = 0; n < 200; n++) {
      const out = sampler.sampleRelative({ study, trialNumber: n, state });
      state = out.state ?? state;
      seen.add(key(out.params));
    }
    expect(seen.size).toBe(200);
  });
});
