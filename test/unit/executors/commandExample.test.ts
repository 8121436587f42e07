import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trainer } from "../../../server/src/executors/trainer";
import { createCommandTrainer } from "../../../server/src/executors/trainers/command";
import { recordingContext } from "../../fixtures/commands/recordingContext";

const script = path.resolve(__dirname, "../../../examples/python/train_command.py");
// momentum is deliberately left out of argv: the script reads it from GRAPHTUNE_PARAM_MOMENTUM.
const task = { argv: ["python3", script, "--lr", "{lr}", "--batch-size", "{batch_size}", "--epochs", "4"], objective: "loss" };
let trainer: Trainer;

beforeAll(async () => {
  trainer = await createCommandTrainer({ device: { kind: "cpu" } });
});
afterAll(async () => {
  await trainer.close?.();
});

describe("examples/python/train_command.py through the command trainer", () => {
  it("reports each epoch and completes with its best validation loss", async () => {
    const ctx = recordingContext(task, { params: { lr: 0.05, batch_size: 32, momentum: 0.5 } });
    const outcome = await trainer.run(ctx);
    expect(ctx.reports.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    for (const r of ctx.reports) expect(Object.keys(r.metrics).sort()).toEqual(["accuracy", "train_loss"]);
    expect(outcome).toEqual({ state: "COMPLETE", values: [Math.min(...ctx.reports.map((r) => r.objective))] });
  });

  it("trains differently with the parameters it is given, in argv and in the environment", async () => {
    const loss = async (params: Record<string, number>) => {
      const outcome = await trainer.run(recordingContext(task, { params: { batch_size: 32, ...params } }));
      expect(outcome.state).toBe("COMPLETE");
      return outcome.state === "COMPLETE" ? outcome.values[0] : NaN;
    };
    const [slow, fast, slowWithMomentum] = await Promise.all([
      loss({ lr: 0.001, momentum: 0 }),
      loss({ lr: 0.1, momentum: 0 }),
      loss({ lr: 0.001, momentum: 0.9 }),
    ]);
    expect(fast).toBeLessThan(slow);
    expect(slowWithMomentum).toBeLessThan(slow);
  });

  it("stops when pruned", async () => {
    const ctx = recordingContext({ ...task, argv: task.argv.map((a) => (a === "4" ? "200" : a)) }, { params: { lr: 0.05, batch_size: 8, momentum: 0.5 }, pruneAtStep: 1 });
    const started = Date.now();
    expect(await trainer.run(ctx)).toEqual({ state: "PRUNED", reason: "median pruner at step 1" });
    expect(ctx.reports.map((r) => r.step)).toEqual([0, 1]);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
