import type { JsonValue } from "../optimization";

/** Where a worker runs its trials: the CPU, or one GPU by index (`gpu:0`). */
export type Device = { kind: "cpu" } | { kind: "gpu"; index: number };

/** Parses a device flag: `cpu`, `gpu` (= gpu:0) or `gpu:N`. */
export function parseDevice(text: string): Device {
  const value = text.trim().toLowerCase();
  if (value === "cpu") return { kind: "cpu" };
  const match = /^(?:gpu|cuda)(?::(\d+))?$/.exec(value);
  if (match) return { kind: "gpu", index: match[1] ? Number(match[1]) : 0 };
  throw new Error(`device must be "cpu", "gpu" or "gpu:N" (got "${text}").`);
}

export function formatDevice(device: Device): string {
  return device.kind === "cpu" ? "cpu" : `gpu:${device.index}`;
}

/** The pruner's answer to one report. */
export interface ReportAnswer {
  shouldPrune: boolean;
  reason: string | null;
}

/** What a trainer gets for one trial. */
export interface TrainerContext {
  trialId: string;
  trialNumber: number;
  /** The trial's parameters, by name, as the sampler chose them. */
  params: Record<string, JsonValue>;
  /** The search's task, as startSearch received it (already checked by the trainer's `checkTask`). */
  task: Record<string, JsonValue>;
  /** The study's directions; a trainer whose objective can go either way picks its metric by them. */
  directions: ("MINIMIZE" | "MAXIMIZE")[];
  device: Device;
  /** Aborted when the trial must stop at once: pruned from outside, finished elsewhere, search cancelled. */
  signal: AbortSignal;
  /**
   * Stores one step's metrics. `objective` is the value pruners read (stored under the study's
   * objective metric); `metrics` are extra named series (train loss, accuracy, ...). Resolves to
   * the pruner's answer; the trainer returns a PRUNED outcome when it says prune.
   */
  report(step: number, objective: number, metrics?: Record<string, number>): Promise<ReportAnswer>;
  /** Connection details a trainer may hand to a child process that reports by itself (command trainer). */
  server: { url: string; apiKey?: string };
  log(message: string, fields?: Record<string, unknown>): void;
}

/** How a trial ended, as the worker will tell it. */
export type TrialOutcome =
  | { state: "COMPLETE"; values: number[]; userAttrs?: Record<string, JsonValue> }
  | { state: "PRUNED"; reason?: string; userAttrs?: Record<string, JsonValue> }
  /** The trainer stopped because `signal` was aborted; the server already knows why. */
  | { state: "STOPPED" }
  | { state: "FAIL"; reason: string; userAttrs?: Record<string, JsonValue> };

/**
 * One way of running a trial. The worker creates a trainer once and reuses it for every trial of
 * every search whose task names it; `run` must release what a trial held (tensors, child processes)
 * before it resolves, whatever the outcome.
 */
export interface Trainer {
  /** The name a task gives in its `trainer` field, e.g. "tfjs-mlp". */
  readonly name: string;
  /** The compute backend it uses here (e.g. "tensorflow-gpu", "wasm", "cpu", "process"). */
  backend(): string;
  run(ctx: TrainerContext): Promise<TrialOutcome>;
  /**
   * Optional: trains the given parameters once more and scores them on held-out test data that
   * the search never saw. The worker calls it for the best trial of a finished search.
   */
  evaluate?(ctx: Omit<TrainerContext, "report">): Promise<Record<string, number>>;
  /** Frees what the trainer keeps between trials. */
  close?(): Promise<void>;
}
