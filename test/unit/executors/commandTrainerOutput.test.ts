import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trainer } from "../../../server/src/executors/trainer";
import { createCommandTrainer } from "../../../server/src/executors/trainers/command";
import { fixture, recordingContext } from "../../fixtures/commands/recordingContext";

let trainer: Trainer;

beforeAll(async () => {
  trainer = await createCommandTrainer({ device: { kind: "cpu" } });
});
afterAll(async () => {
  await trainer.close?.();
});

describe("command trainer: output", () => {
  it("keeps only the tail of a program that prints many megabytes", async () => {
    const megabytes = 96;
    const ctx = recordingContext({ argv: [process.execPath, fixture("bigOutput.js")], env: { MEGABYTES: String(megabytes) }, tailLines: 20 });
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = used();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, used())), 5);
    const outcome = await trainer.run(ctx);
    clearInterval(sampler);
    expect(peak - baseline).toBeLessThan(32 * 2 ** 20);
    expect(outcome.state).toBe("FAIL");
    if (outcome.state !== "FAIL") return;
    const tail = String(outcome.userAttrs?.outputTail).split("\n");
    expect(tail).toHaveLength(20);
    expect(tail.at(-1)).toBe("last line");
    // The 4 MB line is kept cut short.
    expect(tail.at(-2)).toMatch(/^y{2000}…$/);
  });
});
