import { describe, expect, it } from "vitest";
import { InvalidSpaceError, assertPrunerConfig, createPruner, prunerTypes, type JsonValue } from "../../../../server/src/optimization";

function fieldOf(type: string, options: Record<string, JsonValue>): string {
  try {
    assertPrunerConfig({ type, options });
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidSpaceError);
    expect((e as Error).message).toContain((e as InvalidSpaceError).field);
    return (e as InvalidSpaceError).field;
  }
  throw new Error(`${type} ${JSON.stringify(options)} was accepted`);
}

describe("pruner options", () => {
  it("registers every pruner type", () => {
    expect(prunerTypes()).toEqual(
      expect.arrayContaining(["NONE", "MEDIAN", "PERCENTILE", "THRESHOLD", "PATIENT", "SUCCESSIVE_HALVING", "HYPERBAND", "WILCOXON", "PARETO_SUCCESSIVE_HALVING"]),
    );
  });

  it("accepts defaults and both spellings of an option", () => {
    for (const type of ["NONE", "MEDIAN", "SUCCESSIVE_HALVING", "HYPERBAND", "WILCOXON", "PARETO_SUCCESSIVE_HALVING"]) {
      expect(() => createPruner({ type, options: {} })).not.toThrow();
    }
    expect(() => createPruner({ type: "PERCENTILE", options: { percentile: 25, n_startup_trials: 3, nWarmupSteps: 2 } })).not.toThrow();
    expect(() => createPruner({ type: "SUCCESSIVE_HALVING", options: { min_resource: "auto", reduction_factor: 3 } })).not.toThrow();
    expect(() => createPruner({ type: "MEDIAN", options: null as never })).not.toThrow();
  });

  const bad: Array<[string, Record<string, JsonValue>, string]> = [
    ["PERCENTILE", {}, "percentile"],
    ["PERCENTILE", { percentile: 101 }, "percentile"],
    ["PERCENTILE", { percentile: "50" }, "percentile"],
    ["MEDIAN", { percentile: 30 }, "percentile"],
    ["MEDIAN", { nStartupTrials: -1 }, "nStartupTrials"],
    ["MEDIAN", { n_warmup_steps: 1.5 }, "n_warmup_steps"],
    ["MEDIAN", { intervalSteps: 0 }, "intervalSteps"],
    ["MEDIAN", { nMinTrials: 0 }, "nMinTrials"],
    ["MEDIAN", { n_warmup_step: 3 }, "n_warmup_step"],
    ["MEDIAN", { nWarmupSteps: 1, n_warmup_steps: 2 }, "nWarmupSteps"],
    ["THRESHOLD", {}, "lower"],
    ["THRESHOLD", { lower: 2, upper: 1 }, "lower"],
    ["THRESHOLD", { upper: "high" }, "upper"],
    ["PATIENT", {}, "patience"],
    ["PATIENT", { patience: -1 }, "patience"],
    ["PATIENT", { patience: 1, minDelta: -0.1 }, "minDelta"],
    ["PATIENT", { patience: 1, wrapped: "MEDIAN" }, "wrapped"],
    ["PATIENT", { patience: 1, wrapped: { options: {} } }, "wrapped"],
    ["SUCCESSIVE_HALVING", { minResource: 0 }, "minResource"],
    ["SUCCESSIVE_HALVING", { minResource: "soon" }, "minResource"],
    ["SUCCESSIVE_HALVING", { reductionFactor: 1 }, "reductionFactor"],
    ["SUCCESSIVE_HALVING", { minEarlyStoppingRate: -1 }, "minEarlyStoppingRate"],
    ["SUCCESSIVE_HALVING", { bootstrapCount: 2 }, "bootstrapCount"],
    ["SUCCESSIVE_HALVING", { rungValue: "mean" }, "rungValue"],
    ["HYPERBAND", { minResource: 10, maxResource: 5 }, "maxResource"],
    ["HYPERBAND", { rung_value: 1 }, "rung_value"],
    ["HYPERBAND", { max_resource: 2.5 }, "max_resource"],
    ["WILCOXON", { pThreshold: 1.5 }, "pThreshold"],
    ["WILCOXON", { nStartupSteps: -2 }, "nStartupSteps"],
    ["PARETO_SUCCESSIVE_HALVING", { epsilon: -0.1 }, "epsilon"],
    ["NONE", { anything: 1 }, "anything"],
  ];
  for (const [type, options, name] of bad) {
    it(`${type} refuses ${JSON.stringify(options)} and names pruner.options.${name}`, () => {
      expect(fieldOf(type, options)).toBe(`pruner.options.${name}`);
    });
  }

  it("names the nested field of a PATIENT pruner's wrapped pruner", () => {
    expect(fieldOf("PATIENT", { patience: 1, wrapped: { type: "MEDIAN", options: { nWarmupSteps: -1 } } })).toBe(
      "pruner.options.wrapped.options.nWarmupSteps",
    );
    expect(fieldOf("PATIENT", { patience: 1, wrapped: { type: "MEDIUM" } })).toBe("pruner.options.wrapped.type");
    expect(fieldOf("MEDIUM", {})).toBe("pruner.type");
  });
});
