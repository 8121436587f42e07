import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Trainer } from "../../../server/src/executors/trainer";
import { createCommandTrainer } from "../../../server/src/executors/trainers/command";
import { fixture, processRunning, recordingContext } from "../../fixtures/commands/recordingContext";

const node = process.execPath;
let trainer: Trainer;
let tmp: string;
let runs = 0;

beforeAll(async () => {
  trainer = await createCommandTrainer({ device: { kind: "cpu" } });
  tmp = mkdtempSync(path.join(os.tmpdir(), "graphtune-command-stop-"));
});
afterAll(async () => {
  await trainer.close?.();
  rmSync(tmp, { recursive: true, force: true });
});

/** A task running longRunner.js (a metric line every 20 ms, forever, and an idle child process). */
function longRunner(extra: Record<string, string> = {}, fields: Record<string, number> = {}) {
  const pidFile = path.join(tmp, `pids-${runs++}.json`);
  const task = { argv: [node, fixture("longRunner.js")], env: { PID_FILE: pidFile, ...extra }, ...fields };
  return { task, pids: () => JSON.parse(readFileSync(pidFile, "utf8")) as { main: number; child: number } };
}

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("command trainer: stopping a program", () => {
  it("kills the program and the child it started as soon as a report answers prune", async () => {
    const { task, pids } = longRunner();
    const ctx = recordingContext(task, { pruneAtStep: 3 });
    const outcome = await trainer.run(ctx);
    const resolvedAt = Date.now();
    expect(outcome).toEqual({ state: "PRUNED", reason: "median pruner at step 3" });
    expect(ctx.reports.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    // SIGTERM did it: far sooner than the 10 s grace.
    expect(resolvedAt - ctx.prunedAt!).toBeLessThan(2000);
    const { main, child } = pids();
    expect(processRunning(main)).toBe(false);
    expect(processRunning(child)).toBe(false);
  });

  it("stops the program when the trial's signal aborts, and resolves STOPPED", async () => {
    const { task, pids } = longRunner();
    const ctx = recordingContext(task);
    const running = trainer.run(ctx);
    await waitFor(() => ctx.reports.length >= 2);
    ctx.abort();
    expect(await running).toEqual({ state: "STOPPED" });
    expect(processRunning(pids().main)).toBe(false);
    expect(processRunning(pids().child)).toBe(false);
  });

  it("starts nothing for a trial whose signal is already aborted", async () => {
    const echo = path.join(tmp, "never.json");
    const ctx = recordingContext({ argv: [node, fixture("echoTrial.js")], env: { ECHO_TO: echo } });
    ctx.abort();
    expect(await trainer.run(ctx)).toEqual({ state: "STOPPED" });
    expect(() => readFileSync(echo)).toThrow();
  });

  it("fails a trial that runs past its timeout, naming the timeout", async () => {
    const { task, pids } = longRunner({}, { timeoutSeconds: 0.4 });
    const started = Date.now();
    const outcome = await trainer.run(recordingContext(task));
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(outcome.state).toBe("FAIL");
    if (outcome.state !== "FAIL") return;
    expect(outcome.reason).toMatch(/task\.timeoutSeconds \(0\.4 s\)/);
    expect(outcome.userAttrs?.outputTail).toMatch(/"step":\d+/);
    expect(processRunning(pids().main)).toBe(false);
  });

  it("kills a program that ignores SIGTERM once the grace has passed", async () => {
    const { task, pids } = longRunner({ IGNORE_TERM: "1" }, { killGraceSeconds: 0.5 });
    const ctx = recordingContext(task);
    const running = trainer.run(ctx);
    await waitFor(() => ctx.reports.length >= 2);
    const abortedAt = Date.now();
    ctx.abort();
    expect(await running).toEqual({ state: "STOPPED" });
    const took = Date.now() - abortedAt;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(3000);
    expect(processRunning(pids().main)).toBe(false);
    expect(processRunning(pids().child)).toBe(false);
  });

  it("kills what a program left running when it exits by itself", async () => {
    const pidFile = path.join(tmp, "orphan.json");
    const ctx = recordingContext({ argv: [node, fixture("leavesChild.js")], env: { PID_FILE: pidFile } });
    expect(await trainer.run(ctx)).toEqual({ state: "COMPLETE", values: [2] });
    expect(processRunning(Number(readFileSync(pidFile, "utf8")))).toBe(false);
  });

  it("prunes a Python script that prints without flushing, long before it would end", async () => {
    const ctx = recordingContext({ argv: ["python3", fixture("pythonMetrics.py")] }, { pruneAtStep: 1 });
    const started = Date.now();
    // As on a worker started without it (this test's own environment may have it).
    const unbuffered = process.env.PYTHONUNBUFFERED;
    delete process.env.PYTHONUNBUFFERED;
    const outcome = await trainer.run(ctx).finally(() => {
      if (unbuffered !== undefined) process.env.PYTHONUNBUFFERED = unbuffered;
    });
    expect(outcome.state).toBe("PRUNED");
    // The script runs 10 s; its lines must arrive as printed, not when its buffer fills.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(ctx.reports[0]).toMatchObject({ step: 0, objective: 1, metrics: { lr: 0.1 } });
  });

  it("fails a run whose objective becomes NaN, at that step", async () => {
    const ctx = recordingContext({ argv: ["python3", fixture("pythonMetrics.py")], env: { DIVERGE: "1" } });
    const started = Date.now();
    const outcome = await trainer.run(ctx);
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/"loss" was NaN at step 2/);
    expect(ctx.reports.map((r) => r.step)).toEqual([0, 1]);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("kills running trials when the trainer closes", async () => {
    const own = await createCommandTrainer({ device: { kind: "cpu" } });
    const { task, pids } = longRunner();
    const ctx = recordingContext(task);
    const running = own.run(ctx);
    await waitFor(() => ctx.reports.length >= 1);
    const closedAt = Date.now();
    await own.close!();
    const outcome = await running;
    expect(outcome.state === "FAIL" && outcome.reason).toMatch(/worker closed/);
    expect(Date.now() - closedAt).toBeLessThan(2000);
    expect(processRunning(pids().main)).toBe(false);
    expect(processRunning(pids().child)).toBe(false);
  });
});
