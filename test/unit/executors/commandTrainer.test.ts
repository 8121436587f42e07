import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trainer } from "../../../server/src/executors/trainer";
import { createCommandTrainer } from "../../../server/src/executors/trainers/command";
import { FIXTURES, fixture, recordingContext } from "../../fixtures/commands/recordingContext";

const node = process.execPath;
let trainer: Trainer;
let tmp: string;

beforeAll(async () => {
  trainer = await createCommandTrainer({ device: { kind: "cpu" } });
  tmp = mkdtempSync(path.join(os.tmpdir(), "graphtune-command-"));
});
afterAll(async () => {
  await trainer.close?.();
  rmSync(tmp, { recursive: true, force: true });
});

/** A task running printLines.js, which prints `lines` in order (to stderr when prefixed "err:"). */
const printLines = (lines: string[], extra: Record<string, string> = {}) => ({
  argv: [node, fixture("printLines.js")],
  env: { LINES: JSON.stringify(lines), ...extra },
});

describe("command trainer", () => {
  it("is the command trainer on the process backend", () => {
    expect(trainer.name).toBe("command");
    expect(trainer.backend()).toBe("process");
  });

  it("hands the program its parameters in argv and in the environment", async () => {
    const echo = path.join(tmp, "echo.json");
    const ctx = recordingContext(
      {
        argv: [node, "echoTrial.js", "--lr", "{learningRate}", "--tiny={tiny}", "--opt", "{optimizer}", "--run=runs/{trial.number}", "{{literal}}"],
        cwd: FIXTURES,
        env: { ECHO_TO: echo, TASK_VAR: "from the task" },
      },
      { params: { learningRate: 0.001, tiny: 1e-7, optimizer: "adam", "batch-size": 32 } },
    );
    const outcome = await trainer.run(ctx);
    expect(outcome).toEqual({ state: "COMPLETE", values: [1] });
    const seen = JSON.parse(readFileSync(echo, "utf8"));
    expect(seen.argv).toEqual(["--lr", "0.001", "--tiny=1e-7", "--opt", "adam", "--run=runs/7", "{literal}"]);
    expect(seen.cwd).toBe(FIXTURES);
    expect(seen.env).toMatchObject({
      TASK_VAR: "from the task",
      GRAPHTUNE_TRIAL_ID: "trial-42",
      GRAPHTUNE_TRIAL_NUMBER: "7",
      GRAPHTUNE_PARAM_LEARNINGRATE: "0.001",
      GRAPHTUNE_PARAM_TINY: "1e-7",
      GRAPHTUNE_PARAM_OPTIMIZER: "adam",
      GRAPHTUNE_PARAM_BATCH_SIZE: "32",
      GRAPHTUNE_URL: "http://127.0.0.1:4000/graphql",
      GRAPHTUNE_API_KEY: "key-123",
      CUDA_VISIBLE_DEVICES: "",
      PYTHONUNBUFFERED: "1",
    });
    expect(JSON.parse(seen.env.GRAPHTUNE_PARAMS)).toEqual(ctx.params);
  });

  it("shows a GPU worker's device to the program as CUDA_VISIBLE_DEVICES", async () => {
    const echo = path.join(tmp, "echo-gpu.json");
    const ctx = { ...recordingContext({ argv: [node, fixture("echoTrial.js")], env: { ECHO_TO: echo } }), device: { kind: "gpu" as const, index: 3 } };
    expect((await trainer.run(ctx)).state).toBe("COMPLETE");
    expect(JSON.parse(readFileSync(echo, "utf8")).env.CUDA_VISIBLE_DEVICES).toBe("3");
  });

  it("fails a trial whose argv names an unknown parameter, without starting anything", async () => {
    const echo = path.join(tmp, "never.json");
    const ctx = recordingContext({ argv: [node, fixture("echoTrial.js"), "--m={momentum}"], env: { ECHO_TO: echo } }, { params: { lr: 0.1 } });
    const outcome = await trainer.run(ctx);
    expect(outcome.state).toBe("FAIL");
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/\{momentum\}.*not a parameter.*its parameters: lr/);
    expect(() => readFileSync(echo)).toThrow();
  });

  it("reports metric lines in order, with the objective and the other metrics", async () => {
    const ctx = recordingContext(
      printLines([
        "epoch 1 starting",
        '{"step": 0, "loss": 0.9, "accuracy": 0.5}',
        '{"step": 1, "loss": 0.6, "accuracy": 0.7, "phase": "train"}',
        "err:a warning on stderr",
        '{"epoch": 2, "loss": 0.4, "accuracy": 0.8}',
        '{"message": "a structured log line, not a metric"}',
      ]),
      { reportDelayMs: 5 },
    );
    const outcome = await trainer.run(ctx);
    expect(ctx.reports.map(({ step, objective, metrics }) => ({ step, objective, metrics }))).toEqual([
      { step: 0, objective: 0.9, metrics: { accuracy: 0.5 } },
      { step: 1, objective: 0.6, metrics: { accuracy: 0.7 } },
      { step: 2, objective: 0.4, metrics: { accuracy: 0.8 } },
    ]);
    // Without a final line, the value is the last reported objective.
    expect(outcome).toEqual({ state: "COMPLETE", values: [0.4] });
  });

  it('prefers an "objective" key, and reads the key the task names', async () => {
    const lines = ['{"step": 0, "loss": 0.9, "objective": 5, "accuracy": 0.5}', '{"step": 1, "loss": 0.5, "objective": 3, "accuracy": 0.75}'];
    const byDefault = recordingContext(printLines(lines));
    expect(await trainer.run(byDefault)).toEqual({ state: "COMPLETE", values: [3] });
    expect(byDefault.reports.map((r) => r.objective)).toEqual([5, 3]);
    expect(byDefault.reports[1].metrics).toEqual({ loss: 0.5, accuracy: 0.75 });
    const accuracy = recordingContext({ ...printLines(lines), objective: "accuracy" }, { directions: ["MAXIMIZE"] });
    expect(await trainer.run(accuracy)).toEqual({ state: "COMPLETE", values: [0.75] });
  });

  it("takes the final value from a final line, and a study's several values from a values line", async () => {
    const final = recordingContext(printLines(['{"step": 0, "loss": 0.9}', '{"step": 1, "loss": 0.5}', '{"final": 0.37}']));
    expect(await trainer.run(final)).toEqual({ state: "COMPLETE", values: [0.37] });
    expect(final.reports).toHaveLength(2);
    const multi = recordingContext(printLines(['{"values": [0.37, 120]}']), { directions: ["MINIMIZE", "MINIMIZE"] });
    expect(await trainer.run(multi)).toEqual({ state: "COMPLETE", values: [0.37, 120] });
    const short = recordingContext(printLines(['{"final": 0.37}']), { directions: ["MINIMIZE", "MAXIMIZE"] });
    const outcome = await trainer.run(short);
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/1 final value.*2 objectives/);
  });

  it("fails a program that exits 0 without an objective, saying why a metric-like line was not used", async () => {
    const outcome = await trainer.run(recordingContext(printLines(["hello", '{"step": 0, "acc": 0.5}'])));
    expect(outcome.state).toBe("FAIL");
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/reported no objective.*no numeric "objective" or "loss".*task\.objective/);
  });

  it("fails on a non-zero exit with the code, the last output and the tail of both streams", async () => {
    const lines = Array.from({ length: 8 }, (_, i) => (i % 2 ? `err:stderr ${i}` : `stdout ${i}`));
    const ctx = recordingContext({ ...printLines([...lines, "err:ValueError: bad shape"], { EXIT_CODE: "3", DELAY_MS: "5" }), tailLines: 4 });
    const outcome = await trainer.run(ctx);
    expect(outcome.state).toBe("FAIL");
    if (outcome.state !== "FAIL") return;
    expect(outcome.reason).toMatch(/exited with code 3; its last output: ValueError: bad shape/);
    expect(outcome.userAttrs).toEqual({ exitCode: 3, signal: null, outputTail: ["stderr 5", "stdout 6", "stderr 7", "ValueError: bad shape"].join("\n") });
  });

  it("fails a program killed by a signal it was not sent by the trainer, naming the signal", async () => {
    const ctx = recordingContext({ argv: [node, "-e", "process.kill(process.pid, 'SIGSEGV')"] });
    const outcome = await trainer.run(ctx);
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/killed by SIGSEGV/);
    expect(outcome.state === "FAIL" && outcome.userAttrs).toMatchObject({ exitCode: null, signal: "SIGSEGV" });
  });

  it("fails a trial whose program does not exist, saying which", async () => {
    const missing = await trainer.run(recordingContext({ argv: ["graphtune-no-such-program", "x"] }));
    expect(missing.state === "FAIL" && missing.reason).toMatch(/"graphtune-no-such-program".*not found on this worker's PATH/);
    const relative = await trainer.run(recordingContext({ argv: ["./no-such-script.sh"], cwd: FIXTURES }));
    expect(relative.state === "FAIL" && relative.reason).toMatch(/"\.\/no-such-script\.sh".*not found from .*commands/);
    const noDir = await trainer.run(recordingContext({ argv: [node, "-v"], cwd: path.join(tmp, "missing-dir") }));
    expect(noDir.state === "FAIL" && noDir.reason).toMatch(/task\.cwd .*missing-dir" is not a directory/);
  });

  it('with metricsFrom "sdk" leaves reporting to the program', async () => {
    const lines = ['{"step": 0, "loss": 0.9}', '{"step": 1, "loss": 0.5}'];
    const told = recordingContext({ ...printLines(lines), metricsFrom: "sdk" });
    // The program told its trial through the API: nothing to tell.
    expect(await trainer.run(told)).toEqual({ state: "STOPPED" });
    expect(told.reports).toEqual([]);
    const final = recordingContext({ ...printLines([...lines, '{"final": 0.5}']), metricsFrom: "sdk" });
    expect(await trainer.run(final)).toEqual({ state: "COMPLETE", values: [0.5] });
  });
});
