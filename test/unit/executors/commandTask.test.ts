import { describe, expect, it } from "vitest";
import { commandTask } from "../../../server/src/executors/tasks/commandTask";
import { TaskError } from "../../../server/src/executors/tasks/taskDefinition";
import { formatParamValue, parseArgTemplate, renderArgTemplate } from "../../../server/src/executors/trainers/command/argTemplate";
import type { JsonValue } from "../../../server/src/optimization";

const check = (task: Record<string, JsonValue>) => commandTask.check({ trainer: "command", ...task });

function refusal(task: Record<string, JsonValue>): TaskError {
  try {
    check(task);
  } catch (error) {
    expect(error).toBeInstanceOf(TaskError);
    return error as TaskError;
  }
  throw new Error(`the task was accepted: ${JSON.stringify(task)}`);
}

describe("command task", () => {
  it("fills in every default, so a worker runs exactly what was stored", () => {
    expect(check({ argv: ["python3", "train.py"] })).toEqual({
      trainer: "command",
      argv: ["python3", "train.py"],
      cwd: null,
      env: {},
      metricsFrom: "stdout",
      objective: "objective",
      timeoutSeconds: null,
      killGraceSeconds: 10,
      tailLines: 50,
    });
    const full = { argv: ["./run.sh"], cwd: "jobs", env: { OMP_NUM_THREADS: "1" }, metricsFrom: "sdk", objective: "val_loss", timeoutSeconds: 600, killGraceSeconds: 0.5, tailLines: 0 };
    expect(check(full)).toEqual({ trainer: "command", ...full });
  });

  it("has no default search space and does not evaluate a best trial", () => {
    expect(commandTask.defaultSearchSpace).toBeUndefined();
    expect(commandTask.evaluatesBestTrial).toBe(false);
  });

  it("refuses a bad field with its path and what to write", () => {
    const cases: [Record<string, JsonValue>, string, RegExp][] = [
      [{}, "task.argv", /non-empty array of strings/],
      [{ argv: [] }, "task.argv", /non-empty array of strings/],
      [{ argv: ["python3", 3] }, "task.argv", /array of strings/],
      [{ argv: [" "] }, "task.argv[0]", /name the program/],
      [{ argv: ["python3", "--lr={lr"] }, "task.argv[1]", /never closed.*"\{\{"/],
      [{ argv: ["python3", "{}"] }, "task.argv[1]", /empty/],
      [{ argv: ["x"], env: { N: 1 } }, "task.env.N", /must be a string/],
      [{ argv: ["x"], env: ["A=1"] }, "task.env", /object/],
      [{ argv: ["x"], env: { "A-B": "1" } }, "task.env.A-B", /variable name/],
      [{ argv: ["x"], env: { CUDA_VISIBLE_DEVICES: "1" } }, "task.env.CUDA_VISIBLE_DEVICES", /set by the worker/],
      [{ argv: ["x"], env: { GRAPHTUNE_TRIAL_ID: "1" } }, "task.env.GRAPHTUNE_TRIAL_ID", /set by the worker/],
      [{ argv: ["x"], metricsFrom: "stderr" }, "task.metricsFrom", /"stdout".*"sdk"/],
      [{ argv: ["x"], objective: "" }, "task.objective", /key/],
      [{ argv: ["x"], timeoutSeconds: 0 }, "task.timeoutSeconds", /above 0/],
      [{ argv: ["x"], killGraceSeconds: -1 }, "task.killGraceSeconds", /0 to 3600/],
      [{ argv: ["x"], tailLines: 2.5 }, "task.tailLines", /whole number/],
      [{ argv: ["x"], cwd: 3 }, "task.cwd", /directory/],
      [{ argv: ["x"], timeout: 10 }, "task.timeout", /not a field.*timeoutSeconds/],
    ];
    for (const [task, field, message] of cases) {
      const error = refusal(task);
      expect(error.field, JSON.stringify(task)).toBe(field);
      expect(error.message).toMatch(message);
    }
  });
});

describe("argv templates", () => {
  const values = { trialId: "t-9", trialNumber: 4, params: { lr: 0.001, tiny: 1e-7, layers: 3, opt: "adam", flag: true, sizes: [32, 64] } };
  const render = (template: string) => renderArgTemplate(parseArgTemplate(template), values);

  it("puts parameters, the trial id and number in, and keeps escaped braces", () => {
    expect(render("--lr={lr}")).toEqual({ arg: "--lr=0.001" });
    expect(render("{tiny}")).toEqual({ arg: "1e-7" });
    expect(render("{opt}-{layers}")).toEqual({ arg: "adam-3" });
    expect(render("{flag} {sizes}")).toEqual({ arg: "true [32,64]" });
    expect(render("runs/{trial.number}/{trial.id}")).toEqual({ arg: "runs/4/t-9" });
    expect(render('{{"lr": {lr}}}')).toEqual({ arg: '{"lr": 0.001}' });
    expect(render("plain } text")).toEqual({ arg: "plain } text" });
  });

  it("names the first unknown placeholder", () => {
    expect(render("{lr}{momentum}")).toEqual({ unknown: "momentum" });
  });

  it("prints numbers so that they parse back to the same double", () => {
    for (const x of [0.001, 1e-7, 0.1 + 0.2, 123456789.123, 3e21, -2.5e-300]) expect(Number(formatParamValue(x))).toBe(x);
  });
});
