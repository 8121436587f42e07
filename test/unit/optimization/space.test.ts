import { describe, expect, it } from "vitest";
import { InvalidSpaceError, Rng, containsValue, fromUnit, parseSearchSpace, sampleUniform, toUnit } from "../../../server/src/optimization";

describe("search space validation", () => {
  const bad: Array<[string, object, string]> = [
    ["empty name", { name: " ", type: "FLOAT", low: 0, high: 1 }, "name"],
    ["low >= high", { name: "lr", type: "FLOAT", low: 1, high: 1 }, "low"],
    ["log with low <= 0", { name: "lr", type: "FLOAT", low: 0, high: 1, log: true }, "low"],
    ["categorical without choices", { name: "opt", type: "CATEGORICAL", choices: [] }, "choices"],
    ["non-integer INT bounds", { name: "n", type: "INT", low: 0.5, high: 3 }, "low"],
    ["negative step", { name: "x", type: "FLOAT", low: 0, high: 1, step: -0.1 }, "step"],
  ];
  for (const [what, spec, field] of bad) {
    it(`refuses ${what} and names the field`, () => {
      try {
        parseSearchSpace([spec as never]);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidSpaceError);
        expect((e as InvalidSpaceError).field).toBe(`searchSpace[0].${field}`);
      }
    });
  }

  it("refuses duplicate names and conditions on unknown parents", () => {
    expect(() =>
      parseSearchSpace([
        { name: "a", type: "FLOAT", low: 0, high: 1 },
        { name: "a", type: "INT", low: 0, high: 1 },
      ]),
    ).toThrow(/declared twice/);
    expect(() =>
      parseSearchSpace([{ name: "b", type: "INT", low: 0, high: 1, condition: { param: "zz", values: [1] } }]),
    ).toThrow(/must be declared before/);
  });
});

describe("sampling inside the space", () => {
  it("keeps every uniform draw inside bounds and on the step grid", () => {
    const space = parseSearchSpace([
      { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
      { name: "units", type: "INT", low: 16, high: 512, log: true },
      { name: "layers", type: "INT", low: 1, high: 6 },
      { name: "dropout", type: "FLOAT", low: 0, high: 0.6, step: 0.1 },
      { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd", { name: "rmsprop" }] },
    ]);
    const rng = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      for (const spec of space) expect(containsValue(spec, sampleUniform(spec, rng))).toBe(true);
    }
  });

  it("reaches both ends of an integer range with equal odds", () => {
    const [spec] = parseSearchSpace([{ name: "n", type: "INT", low: 1, high: 3 }]);
    const rng = new Rng(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[(sampleUniform(spec, rng) as number) - 1]++;
    for (const c of counts) expect(c).toBeGreaterThan(900);
  });

  it("maps to the unit interval and back", () => {
    const [spec] = parseSearchSpace([{ name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true }]);
    if (spec.type === "CATEGORICAL") throw new Error("unexpected");
    expect(fromUnit(spec, toUnit(spec, 0.01))).toBeCloseTo(0.01, 10);
    expect(toUnit(spec, 0.01)).toBeCloseTo(0.5, 10);
  });
});
