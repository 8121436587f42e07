/**
 * Pruning on real learning curves: tfjs-mlp trials (the executor's trainer, in-process) on a
 * built-in data set with the trainer's default search space, one epoch per step, the validation
 * loss as the objective. The same sampler and seeds with and without each pruner, and Optuna 3.1's
 * TPESampler with its pruners driving the very same training (bench/optuna_ask_tell.py). The true
 * optimum is unknown, so regret is measured against the best value any run of the benchmark
 * reached; the held-out test accuracy of each search's best trial is printed beside it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import type { Trainer, TrainerContext } from "../../server/src/executors/trainer";
import { createTfjsMlpTrainer } from "../../server/src/executors/trainers/tfjs";
import { tfjsMlpSearchSpace } from "../../server/src/executors/tasks/tfjsMlpTask";
import type { RungViewOptions } from "../../server/src/optimization/multiFidelity/rungView";
import type { PrunerConfig } from "../../server/src/optimization/pruners/pruner";
import { parseSearchSpace } from "../../server/src/optimization/space";
import type { JsonValue, ParamSpec } from "../../server/src/optimization/types";
import { formatTable, median, quantile } from "../support/stats";
import { EngineDriver, OptunaDriver, type OptunaPrunerSpec, type SearchDriver } from "./searchDrivers";

export interface TfjsCurvesOptions {
  dataset: string;
  /** Epochs of a fully trained trial (the most steps). */
  epochs: number;
  trials: number;
  seeds: number;
  /** Run Optuna's peers of the goal rows when /usr/bin/python3 imports Optuna. */
  optuna: boolean;
  /** Run the Optuna peer of every contender that has one, not only of the goal rows. */
  optunaAll: boolean;
  /** Contender labels to run (null: all). */
  only: string[] | null;
}

interface Contender {
  label: string;
  pruner: PrunerConfig;
  multiFidelity: RungViewOptions | null;
  /** Early stopping inside each trial (epochs without improvement; 0: off). */
  patience?: number;
  /** Optuna's pruner with the same settings, run side by side. */
  optuna?: OptunaPrunerSpec;
  goal?: boolean;
}

/** The contenders of the MF-Hartmann6 tables, with the maximum resource set to the epochs. */
function contenders(epochs: number): Contender[] {
  const hb = (eta: number, bootstrap = 0): PrunerConfig => ({
    type: "HYPERBAND",
    options: { minResource: 1, maxResource: epochs, reductionFactor: eta, ...(bootstrap ? { bootstrapCount: bootstrap } : {}) },
  });
  return [
    { label: "NONE", pruner: { type: "NONE", options: {} }, multiFidelity: null },
    { label: "NONE + early stopping (patience 5)", pruner: { type: "NONE", options: {} }, multiFidelity: null, patience: 5 },
    { label: "MEDIAN", pruner: { type: "MEDIAN", options: {} }, multiFidelity: null, optuna: { type: "MedianPruner", kwargs: {} } },
    { label: "SH", pruner: { type: "SUCCESSIVE_HALVING", options: {} }, multiFidelity: null, optuna: { type: "SuccessiveHalvingPruner", kwargs: {} } },
    {
      label: "SH eta7+rungview",
      pruner: { type: "SUCCESSIVE_HALVING", options: { reductionFactor: 7 } },
      multiFidelity: {},
      optuna: { type: "SuccessiveHalvingPruner", kwargs: { reduction_factor: 7 } },
      goal: true,
    },
    {
      label: "HB",
      pruner: hb(3),
      multiFidelity: null,
      optuna: { type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: epochs, reduction_factor: 3 } },
    },
    {
      // The same pruner with Optuna's bracket filter for the sampler instead of the rung view.
      label: "HB eta7 b1",
      pruner: hb(7, 1),
      multiFidelity: null,
      optuna: { type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: epochs, reduction_factor: 7, bootstrap_count: 1 } },
    },
    {
      label: "HB eta7 b1+rungview",
      pruner: hb(7, 1),
      multiFidelity: {},
      optuna: { type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: epochs, reduction_factor: 7, bootstrap_count: 1 } },
      goal: true,
    },
  ];
}

/** One search: the steps it consumed and its best fully trained trial after each completion. */
interface RunResult {
  steps: number;
  /** [steps consumed so far, best fully trained value so far] at each completed trial. */
  curve: Array<[number, number]>;
  best: { number: number; params: Record<string, JsonValue> } | null;
  pruned: number;
  failed: number;
  /** Held-out test loss and accuracy of the best trial trained again (NaN when none completed). */
  testLoss: number;
  testAccuracy: number;
}

const signal = new AbortController().signal;

function task(options: TfjsCurvesOptions, patience: number): Record<string, JsonValue> {
  return { dataset: options.dataset, epochs: options.epochs, patience, metric: "valLoss" };
}

/** What the trainer gets for trial `number` (less `report`), as a worker would give it. */
function trialContext(options: TfjsCurvesOptions, patience: number, number: number, params: Record<string, JsonValue>): Omit<TrainerContext, "report"> {
  return {
    trialId: String(number),
    trialNumber: number,
    params,
    task: task(options, patience),
    directions: ["MINIMIZE"],
    device: { kind: "cpu" },
    signal,
    server: { url: "" },
    log: () => {},
  };
}

/** Runs `trials` tfjs-mlp trials under `driver`; every epoch is one step. */
async function runSearch(trainer: Trainer, driver: SearchDriver, options: TfjsCurvesOptions, patience: number): Promise<RunResult> {
  const result: RunResult = { steps: 0, curve: [], best: null, pruned: 0, failed: 0, testLoss: NaN, testAccuracy: NaN };
  let bestValue = Infinity;
  try {
    for (let i = 0; i < options.trials; i++) {
      const { number, params } = await driver.ask();
      const ctx: TrainerContext = {
        ...trialContext(options, patience, number, params),
        report: async (step, objective) => {
          result.steps++;
          const answer = await driver.report(step, objective);
          return { shouldPrune: answer.prune, reason: answer.reason };
        },
      };
      const outcome = await trainer.run(ctx);
      if (outcome.state === "COMPLETE") {
        const value = outcome.values[0];
        await driver.tell("COMPLETE", value);
        if (value < bestValue) {
          bestValue = value;
          result.best = { number, params };
        }
        result.curve.push([result.steps, bestValue]);
      } else if (outcome.state === "PRUNED") {
        await driver.tell("PRUNED");
        result.pruned++;
      } else {
        await driver.tell("FAIL");
        result.failed++;
      }
    }
  } finally {
    await driver.close();
  }
  if (result.best) {
    // The same trial number, hence the same weight seed, as the search trained it with.
    const scores = await trainer.evaluate!(trialContext(options, patience, result.best.number, result.best.params));
    result.testLoss = scores.testLoss ?? NaN;
    result.testAccuracy = scores.testAccuracy ?? NaN;
  }
  return result;
}

const finalValue = (r: RunResult) => (r.curve.length ? r.curve[r.curve.length - 1][1] : Infinity);

function valueAt(r: RunResult, budget: number): number {
  let best = Infinity;
  for (const [steps, value] of r.curve) if (steps <= budget) best = value;
  return best;
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return "inf";
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (x === 0) return "0";
  return Math.abs(x) >= 0.01 ? x.toPrecision(3) : x.toExponential(2);
}

/** The row of a contender's Optuna peer. */
const optunaLabel = (c: Contender) => `optuna ${c.label.replace("+rungview", "")} (TPE)`;

function optunaScript(): { python: string; script: string } | string {
  const python = "/usr/bin/python3";
  const script = [path.join(__dirname, "..", "optuna_ask_tell.py"), path.join(__dirname, "..", "..", "..", "bench", "optuna_ask_tell.py")].find((p) => existsSync(p));
  if (!existsSync(python) || !script) return "python3 or bench/optuna_ask_tell.py not found";
  try {
    execFileSync(python, ["-c", "import optuna"], { stdio: "ignore" });
  } catch {
    return "Optuna is not importable by /usr/bin/python3";
  }
  return { python, script };
}

export async function runTfjsCurves(options: TfjsCurvesOptions): Promise<void> {
  const trainer = await createTfjsMlpTrainer({ device: { kind: "cpu" } });
  const space: ParamSpec[] = parseSearchSpace(tfjsMlpSearchSpace(task(options, 0)));
  const list = contenders(options.epochs).filter((c) => !options.only || options.only.includes(c.label));
  const optuna = options.optuna ? optunaScript() : "skipped (--no-optuna)";
  console.log(
    `\n=== tfjs-mlp on ${options.dataset} (backend ${trainer.backend()}), validation loss, epochs 1..${options.epochs}, ` +
      `${options.trials} trials, ${options.seeds} seeds, sampler TPE; the trainer's default space (${space.map((s) => s.name).join(", ")}).`,
  );
  if (typeof optuna === "string") console.log(`Optuna side by side: ${optuna}.`);

  const results = new Map<string, RunResult[]>();
  const run = async (label: string, make: (seed: number) => SearchDriver, patience: number) => {
    const t0 = Date.now();
    const runs: RunResult[] = [];
    for (let seed = 0; seed < options.seeds; seed++) runs.push(await runSearch(trainer, make(seed), options, patience));
    results.set(label, runs);
    process.stderr.write(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  };
  for (const c of list) {
    await run(c.label, (seed) => new EngineDriver(space, "MINIMIZE", "TPE", seed, c.pruner, c.multiFidelity), c.patience ?? 0);
    if (c.optuna && (c.goal || options.optunaAll) && typeof optuna !== "string") {
      const spec = c.optuna;
      await run(optunaLabel(c), (seed) => new OptunaDriver(optuna.python, optuna.script, space, "MINIMIZE", seed, spec), 0);
    }
  }
  await trainer.close?.();

  // Regret against the best fully trained value any search of this benchmark reached.
  const reference = Math.min(...[...results.values()].flat().map(finalValue));
  const regret = (r: RunResult) => finalValue(r) - reference;
  const none = results.get("NONE");
  const noneSteps = none ? median(none.map((r) => r.steps)) : NaN;
  const noneUpper = none ? quantile(none.map(regret), 0.75) : NaN;
  const rows = [...results.entries()].map(([label, runs]) => {
    const regrets = runs.map(regret);
    const steps = median(runs.map((r) => r.steps));
    return [
      label,
      fmt(steps),
      none ? `${(noneSteps / steps).toFixed(1)}x` : "-",
      fmt(median(regrets)),
      `${fmt(quantile(regrets, 0.25))} .. ${fmt(quantile(regrets, 0.75))}`,
      fmt(median(runs.map((r) => r.curve.length))),
      fmt(median(runs.map((r) => r.failed))),
      `${fmt(median(runs.map((r) => r.testLoss)))} (${fmt(quantile(runs.map((r) => r.testLoss), 0.25))} .. ${fmt(quantile(runs.map((r) => r.testLoss), 0.75))})`,
      fmt(median(runs.map((r) => r.testAccuracy))),
    ];
  });
  console.log(`\nMedian over seeds; regret = best fully trained trial's validation loss - ${fmt(reference)} (the best any search here reached).`);
  console.log("Its test loss: the search's best trial trained again and scored on the test part, which no search saw (median, q25 .. q75).");
  console.log("The validation regret favours searches that fully train more trials: the best of more noisy scores is lower.");
  console.log(
    table(["pruner", "total epochs", "fewer than NONE", "median regret", "spread (q25 .. q75)", "fully trained", "diverged", "its test loss", "its test accuracy"], rows),
  );

  if (none) {
    for (const c of list.filter((x) => x.goal)) {
      const runs = results.get(c.label)!;
      const ratio = noneSteps / median(runs.map((r) => r.steps));
      const reg = median(runs.map(regret));
      const met = ratio >= 4 && reg <= noneUpper;
      console.log(`Goal ${c.label}: NONE's regret within its spread (median ${fmt(reg)} <= NONE's q75 ${fmt(noneUpper)}) with >= 4x fewer epochs (${ratio.toFixed(2)}x): ${met ? "met" : "NOT met"}`);
      const testLoss = median(runs.map((r) => r.testLoss));
      const noneTestUpper = quantile(none.map((r) => r.testLoss), 0.75);
      console.log(`  (held out: its best trial's test loss ${fmt(testLoss)} vs NONE's median ${fmt(median(none.map((r) => r.testLoss)))}, q75 ${fmt(noneTestUpper)}: ${testLoss <= noneTestUpper ? "within" : "outside"} NONE's spread)`);
    }
  }
  const pairs = list.filter((c) => results.has(optunaLabel(c)));
  if (pairs.length) {
    console.log("\nAt equal epochs (per seed, the budget is the smaller of the two searches' totals):");
    const eqRows = pairs.map((c) => {
      const theirLabel = optunaLabel(c);
      const ours = results.get(c.label)!;
      const theirs = results.get(theirLabel)!;
      const a: number[] = [];
      const b: number[] = [];
      let wins = 0;
      for (let s = 0; s < Math.min(ours.length, theirs.length); s++) {
        const budget = Math.min(ours[s].steps, theirs[s].steps);
        a.push(valueAt(ours[s], budget) - reference);
        b.push(valueAt(theirs[s], budget) - reference);
        if (a[s] < b[s]) wins++;
      }
      const better = median(a) < median(b);
      return [c.label, theirLabel, fmt(median(a)), fmt(median(b)), `${wins}/${a.length}`, c.goal ? (better ? "met" : "NOT met") : better ? "(better)" : "(not better)"];
    });
    console.log(table(["ours", "against", "our median regret", "optuna median regret", "seeds we win", "goal: beat it"], eqRows));
  }
}

const table = formatTable;
