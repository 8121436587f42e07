import { describe, expect, it } from "vitest";
import { containsValue, createSampler, defaultSamplerType, parseSearchSpace, samplerTypes } from "../../../server/src/optimization";
import type { JsonValue, ParamSpec, Sampler, StudyView, TrialView } from "../../../server/src/optimization";
import { AutoSampler, type SamplerLookup } from "../../../server/src/optimization/samplers/autoSampler";
import { RandomSampler } from "../../../server/src/optimization/samplers/randomSampler";

const numeric = parseSearchSpace([
  { name: "x", type: "FLOAT", low: -5, high: 5 },
  { name: "n", type: "INT", low: 1, high: 9 },
]);
const withCategorical = parseSearchSpace([
  { name: "x", type: "FLOAT", low: -5, high: 5 },
  { name: "opt", type: "CATEGORICAL", choices: ["a", "b"] },
]);
const conditional = parseSearchSpace([
  { name: "model", type: "CATEGORICAL", choices: ["svm", "tree"] },
  { name: "C", type: "FLOAT", low: 0.1, high: 10, condition: { param: "model", values: ["svm"] } },
]);

function study(space: ParamSpec[], finished: number, directions = 1): StudyView {
  const trials: TrialView[] = Array.from({ length: finished }, (_, i) => ({
    number: i,
    state: "COMPLETE",
    params: {},
    distributions: {},
    values: Array.from({ length: directions }, () => i),
    intermediateValues: [],
  }));
  return { directions: Array.from({ length: directions }, () => "MINIMIZE"), searchSpace: space, trials };
}

/** A registry holding the given types, each a random sampler that remembers what it was built as. */
function fakeRegistry(types: string[]): SamplerLookup {
  return (type, seed) => (types.includes(type) ? Object.assign(new RandomSampler(seed), { kind: type }) : null);
}

describe("AUTO sampler", () => {
  it("is the default sampler type", () => {
    expect(samplerTypes()).toContain("AUTO");
    expect(defaultSamplerType()).toBe("AUTO");
  });

  it("picks as documented when GP, CMA-ES and NSGA-II are all available", () => {
    const auto = new AutoSampler(1, {}, fakeRegistry(["GP", "CMAES", "NSGA2"]));
    expect(auto.choose(study(numeric, 0, 2)).type).toBe("NSGA2");
    expect(auto.choose(study(conditional, 50)).type).toBe("TPE");
    expect(auto.choose(study(numeric, 0)).type).toBe("GP");
    expect(auto.choose(study(withCategorical, 299)).type).toBe("GP");
    expect(auto.choose(study(numeric, 300)).type).toBe("CMAES");
    expect(auto.choose(study(withCategorical, 300)).type).toBe("TPE");
    const big = parseSearchSpace(Array.from({ length: 31 }, (_, i) => ({ name: `p${i}`, type: "FLOAT", low: 0, high: 1 })));
    expect(auto.choose(study(big, 10)).type).toBe("CMAES");
    expect(new AutoSampler(1, { gpMaxTrials: 50 }, fakeRegistry(["GP"])).choose(study(numeric, 50)).type).toBe("TPE");
  });

  it("falls back to TPE (multivariate, MOTPE for several directions) when the others are not registered", () => {
    const auto = new AutoSampler(1, {}, fakeRegistry([]));
    for (const s of [study(numeric, 0, 2), study(numeric, 0), study(withCategorical, 500), study(conditional, 5)]) {
      const choice = auto.choose(s);
      expect(choice.type).toBe("TPE");
      expect(choice.options.multivariate).toBe(true);
    }
  });

  it("delegates, keeps each delegate's state apart, and samples define-by-run parameters with TPE", () => {
    const seen: string[] = [];
    const stateful = (type: string): Sampler => ({
      needsHistory: false,
      sampleRelative: (ctx) => {
        seen.push(`${type}:${JSON.stringify(ctx.state)}`);
        return { params: { x: 0, n: 1 }, state: ((ctx.state as number | null) ?? 0) + 1 };
      },
      sampleIndependent: () => 0,
    });
    const auto = new AutoSampler(1, { gpMaxTrials: 2 }, (type) => (type === "GP" || type === "CMAES" ? stateful(type) : null));
    let state: JsonValue | null = null;
    for (let finished = 0; finished < 4; finished++) {
      const out = auto.sampleRelative({ study: study(numeric, finished), trialNumber: finished, state });
      state = out.state ?? state;
    }
    expect(seen).toEqual(["GP:null", "GP:1", "CMAES:null", "CMAES:1"]);
    expect(state).toEqual({ GP: 2, CMAES: 2 });

    const spec: ParamSpec = { name: "extra", type: "INT", low: 0, high: 10, log: false, step: 1 };
    const trial: TrialView = { number: 0, state: "RUNNING", params: {}, distributions: {}, values: null, intermediateValues: [] };
    expect(containsValue(spec, auto.sampleIndependent({ study: study(numeric, 0), trialNumber: 0, state: null }, trial, spec))).toBe(true);
  });

  it("through the registry, proposes valid parameters for every kind of study", () => {
    const sampler = createSampler({ type: "AUTO", seed: 5, options: {} });
    for (const [space, directions] of [[numeric, 1], [withCategorical, 1], [conditional, 1], [numeric, 2]] as const) {
      const s = study(space, 0, directions);
      let state: JsonValue | null = null;
      for (let n = 0; n < 15; n++) {
        const out = sampler.sampleRelative({ study: s, trialNumber: n, state });
        state = out.state ?? state;
        for (const spec of space) if (spec.name in out.params) expect(containsValue(spec, out.params[spec.name])).toBe(true);
        const v = typeof out.params.x === "number" ? out.params.x : 1;
        s.trials.push({
          number: n,
          state: "COMPLETE",
          params: out.params,
          distributions: Object.fromEntries(space.filter((p) => p.name in out.params).map((p) => [p.name, p])),
          values: directions === 1 ? [v * v] : [v * v, (v - 1) ** 2],
          intermediateValues: [],
        });
      }
    }
  });
});
