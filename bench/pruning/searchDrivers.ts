import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { samplerView } from "../../server/src/optimization/multiFidelity/samplerView";
import type { RungViewOptions } from "../../server/src/optimization/multiFidelity/rungView";
import type { Pruner, PrunerConfig } from "../../server/src/optimization/pruners/pruner";
import { createPruner } from "../../server/src/optimization/pruners/registry";
import { createSampler } from "../../server/src/optimization/samplers/registry";
import type { Direction, JsonValue, ParamSpec, StudyView, TrialView } from "../../server/src/optimization/types";

/**
 * What a benchmark's search loop needs from an optimiser, one trial at a time: ask for
 * parameters, report a step (and hear whether to prune), tell the outcome. Our engine runs
 * in-process; Optuna runs as a child process speaking JSON lines (bench/optuna_ask_tell.py), so
 * both drive the very same training.
 */
export interface SearchDriver {
  ask(): Promise<{ number: number; params: Record<string, JsonValue> }>;
  report(step: number, value: number): Promise<{ prune: boolean; reason: string | null }>;
  /** PRUNED keeps the last reported value as the trial's value, as the service and Optuna do. */
  tell(state: "COMPLETE" | "PRUNED" | "FAIL", value?: number): Promise<void>;
  close(): Promise<void>;
}

/** Our sampler and pruner, exactly as the service composes them (samplerView included). */
export class EngineDriver implements SearchDriver {
  private readonly sampler;
  private readonly pruner: Pruner;
  private readonly history: TrialView[] = [];
  private readonly base: StudyView;
  private readonly distributions: Record<string, ParamSpec>;
  private state: JsonValue | null = null;
  private current: TrialView | null = null;

  constructor(
    space: ParamSpec[],
    direction: Direction,
    samplerType: string,
    seed: number,
    prunerConfig: PrunerConfig,
    private readonly multiFidelity: RungViewOptions | null,
    samplerOptions: Record<string, JsonValue> = {},
  ) {
    this.sampler = createSampler({ type: samplerType, seed, options: samplerOptions });
    this.pruner = createPruner(prunerConfig);
    this.base = { directions: [direction], searchSpace: space, trials: this.history };
    this.distributions = Object.fromEntries(space.map((s): [string, ParamSpec] => [s.name, s]));
  }

  async ask(): Promise<{ number: number; params: Record<string, JsonValue> }> {
    const number = this.history.length;
    const view = samplerView(this.base, this.pruner, number, this.multiFidelity);
    const sample = this.sampler.sampleRelative({ study: view, trialNumber: number, state: this.state });
    if (sample.state !== undefined) this.state = sample.state;
    this.current = { number, state: "RUNNING", params: sample.params, distributions: this.distributions, values: null, intermediateValues: [] };
    this.history.push(this.current);
    return { number, params: sample.params };
  }

  async report(step: number, value: number): Promise<{ prune: boolean; reason: string | null }> {
    const trial = this.current!;
    trial.intermediateValues.push({ step, value });
    const others = this.history.filter((t) => t !== trial);
    const decision = this.pruner.prune({ ...this.base, trials: others }, trial);
    return { prune: decision.shouldPrune, reason: decision.reason };
  }

  async tell(state: "COMPLETE" | "PRUNED" | "FAIL", value?: number): Promise<void> {
    const trial = this.current!;
    trial.state = state;
    const last = trial.intermediateValues.at(-1)?.value;
    trial.values = state === "COMPLETE" ? [value!] : state === "PRUNED" && last !== undefined ? [last] : null;
    this.current = null;
  }

  async close(): Promise<void> {}
}

/** An Optuna pruner: a class of optuna.pruners and its keyword arguments. */
export interface OptunaPrunerSpec {
  type: string;
  kwargs: Record<string, JsonValue>;
  /** TPESampler's keyword arguments besides the seed (e.g. { "multivariate": true }); default none. */
  sampler_kwargs?: Record<string, JsonValue>;
}

/** Optuna 3.1's TPESampler and a pruner, in /usr/bin/python3, through bench/optuna_ask_tell.py. */
export class OptunaDriver implements SearchDriver {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly pending: Array<(line: string) => void> = [];
  private stderr = "";

  constructor(python: string, script: string, space: ParamSpec[], direction: Direction, seed: number, pruner: OptunaPrunerSpec) {
    const argv = [script, "--seed", String(seed), "--pruner", JSON.stringify(pruner), "--space", JSON.stringify(space), "--direction", direction.toLowerCase()];
    this.child = spawn(python, argv, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on("line", (line) => this.pending.shift()?.(line));
    this.child.on("exit", (code) => {
      if (code !== 0 && this.pending.length) throw new Error(`Optuna driver exited with ${code}: ${this.stderr}`);
    });
  }

  private call(message: Record<string, JsonValue>): Promise<Record<string, JsonValue>> {
    return new Promise((resolve) => {
      this.pending.push((line) => resolve(JSON.parse(line) as Record<string, JsonValue>));
      this.child.stdin.write(JSON.stringify(message) + "\n");
    });
  }

  async ask(): Promise<{ number: number; params: Record<string, JsonValue> }> {
    const answer = await this.call({ cmd: "ask" });
    return { number: answer.number as number, params: answer.params as Record<string, JsonValue> };
  }

  async report(step: number, value: number): Promise<{ prune: boolean; reason: string | null }> {
    const answer = await this.call({ cmd: "report", step, value });
    return { prune: answer.prune === true, reason: answer.prune === true ? "optuna" : null };
  }

  async tell(state: "COMPLETE" | "PRUNED" | "FAIL", value?: number): Promise<void> {
    await this.call(state === "COMPLETE" ? { cmd: "tell", state, value: value! } : { cmd: "tell", state });
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await new Promise((resolve) => this.child.once("close", resolve));
  }
}
