/**
 * Pruning on real learning curves: tfjs-mlp trials (the executor's trainer, in-process) on a
 * built-in data set with the trainer's default search space, one epoch per step, the validation
 * loss as the objective. The same sampler and seeds with and without each pruner, and Optuna 3.1's
 * TPESampler with its pruners driving the very same training (bench/optuna_ask_tell.py).
 *
 * Regret, as on MF-Hartmann6, is on the value a configuration has, not on the one noisy draw the
 * search saw: a trial's value depends on its weight seed, and the best of 200 draws is lower than
 * its configuration's value by luck alone (the more trials a search fully trains, the luckier its
 * best). So each search's best fully trained trial is trained again with `retrains` other seeds,
 * and its expected value is the mean of their validation losses. The true optimum is unknown:
 * regret is measured against the best expected value of any configuration a search here chose.
 * The same retrains are scored on the test part, which no search saw, for a second regret: the
 * validation regret still carries the luck of the validation part's samples (see MEASURES).
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
import { formatTable, median, pairedWins, quantile, spearman } from "../support/stats";
import { CurveCache } from "./curveCache";
import { EngineDriver, OptunaDriver, type OptunaPrunerSpec, type SearchDriver } from "./searchDrivers";

export interface TfjsCurvesOptions {
  dataset: string;
  /** Epochs of a fully trained trial (the most steps). */
  epochs: number;
  trials: number;
  seeds: number;
  /** The first sampler seed (seeds firstSeed .. firstSeed + seeds - 1), to check a finding on fresh seeds. */
  firstSeed: number;
  /** Other weight seeds a chosen configuration is trained with to estimate its value. */
  retrains: number;
  /** Run Optuna's peers of the goal rows when /usr/bin/python3 imports Optuna. */
  optuna: boolean;
  /** Run the Optuna peer of every contender that has one, not only of the goal rows. */
  optunaAll: boolean;
  /** Contender labels to run (null: all). */
  only: string[] | null;
  /** More contenders, as JSON (to try other options without editing this file). */
  extra: TfjsContender[];
  /** A file of learning curves from earlier runs on the same code and data, replayed instead of retrained (curveCache.ts). */
  curveCache: string | null;
}

export interface TfjsContender {
  label: string;
  pruner: PrunerConfig;
  multiFidelity: RungViewOptions | null;
  /** Early stopping inside each trial (epochs without improvement; 0: off). */
  patience?: number;
  /** Our sampler (default "TPE", as the Optuna peers'). */
  sampler?: string;
  /** Options of our sampler (e.g. { "multivariate": true }); default: Optuna's defaults, as its peer's (optuna.sampler_kwargs). */
  samplerOptions?: Record<string, JsonValue>;
  /** Optuna's pruner with the same settings, run side by side. */
  optuna?: OptunaPrunerSpec;
  goal?: boolean;
}

/** The contenders of the MF-Hartmann6 tables, with the maximum resource set to the epochs. */
function contenders(epochs: number): TfjsContender[] {
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
    // The GP with the joint multi-fidelity model (MOBSTER), which also learns from pruned trials;
    // its goal reference is the GP without pruning.
    { label: "NONE GP", sampler: "GP", pruner: { type: "NONE", options: {} }, multiFidelity: null },
    {
      label: "SH eta7+joint GP",
      sampler: "GP",
      pruner: { type: "SUCCESSIVE_HALVING", options: { reductionFactor: 7 } },
      multiFidelity: { model: "joint" },
      optuna: { type: "SuccessiveHalvingPruner", kwargs: { reduction_factor: 7 } },
      goal: true,
    },
    {
      label: "HB eta7 b1+joint GP",
      sampler: "GP",
      pruner: hb(7, 1),
      multiFidelity: { model: "joint" },
      optuna: { type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: epochs, reduction_factor: 7, bootstrap_count: 1 } },
      goal: true,
    },
  ];
}

/** The label of the no-pruning row with the same sampler as `c`: "NONE", or e.g. "NONE GP". */
const noneLabelFor = (c: TfjsContender) => (c.sampler && c.sampler !== "TPE" ? `NONE ${c.sampler}` : "NONE");

/** A fully trained trial: its parameters and the value the search saw. */
interface Completed {
  number: number;
  params: Record<string, JsonValue>;
  value: number;
}

/** One search: the steps it consumed and its best fully trained trial after each completion. */
interface RunResult {
  steps: number;
  /** [steps consumed so far, best fully trained trial so far] at each completed trial. */
  curve: Array<[number, Completed]>;
  /** Every fully trained trial's objective at each epoch (index epoch - 1), and its value. */
  learningCurves: Array<{ epochs: number[]; value: number }>;
  pruned: number;
  failed: number;
}

/** What a configuration is worth: means over trainings with other weight seeds. */
interface Expected {
  valLoss: number;
  testLoss: number;
  testAccuracy: number;
}

const signal = new AbortController().signal;

function task(options: TfjsCurvesOptions, patience: number): Record<string, JsonValue> {
  return { dataset: options.dataset, epochs: options.epochs, patience, metric: "valLoss" };
}

/** What the trainer gets for trial `number` (less `report`), as a worker would give it. */
function trialContext(
  options: TfjsCurvesOptions,
  patience: number,
  number: number,
  params: Record<string, JsonValue>,
  seed = 0,
): Omit<TrainerContext, "report"> {
  return {
    trialId: String(number),
    trialNumber: number,
    params,
    task: { ...task(options, patience), seed },
    directions: ["MINIMIZE"],
    device: { kind: "cpu" },
    signal,
    server: { url: "" },
    log: () => {},
  };
}

/** Runs `trials` tfjs-mlp trials under `driver`; every epoch is one step. */
async function runSearch(trainer: Trainer, driver: SearchDriver, options: TfjsCurvesOptions, patience: number): Promise<RunResult> {
  const result: RunResult = { steps: 0, curve: [], learningCurves: [], pruned: 0, failed: 0 };
  let best: Completed | null = null;
  try {
    for (let i = 0; i < options.trials; i++) {
      const { number, params } = await driver.ask();
      const seen: number[] = [];
      const ctx: TrainerContext = {
        ...trialContext(options, patience, number, params),
        report: async (step, objective) => {
          result.steps++;
          seen[step - 1] = objective;
          const answer = await driver.report(step, objective);
          return { shouldPrune: answer.prune, reason: answer.reason };
        },
      };
      const outcome = await trainer.run(ctx);
      if (outcome.state === "COMPLETE") {
        const value = outcome.values[0];
        await driver.tell("COMPLETE", value);
        if (!best || value < best.value) best = { number, params, value };
        result.learningCurves.push({ epochs: seen, value });
        result.curve.push([result.steps, best]);
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
  return result;
}

/**
 * Expected values of chosen configurations, each trained `retrains` times with weight seeds that
 * no search used (a search's trial n trains with seed n), memoised: searches that chose the same
 * configuration share its trainings.
 */
class ExpectedValues {
  private readonly known = new Map<string, Promise<Expected>>();

  constructor(
    private readonly trainer: Trainer,
    private readonly options: TfjsCurvesOptions,
    private readonly patience: number,
  ) {}

  of(trial: Completed): Promise<Expected> {
    const key = JSON.stringify([trial.number, trial.params]);
    let expected = this.known.get(key);
    if (!expected) {
      expected = this.train(trial);
      this.known.set(key, expected);
    }
    return expected;
  }

  private async train(trial: Completed): Promise<Expected> {
    const runs: Array<Record<string, number>> = [];
    for (let k = 1; k <= this.options.retrains; k++) {
      runs.push(await this.trainer.evaluate!(trialContext(this.options, this.patience, trial.number, trial.params, k * 1_000_003)));
    }
    const mean = (name: string) => runs.reduce((sum, r) => sum + (r[name] ?? NaN), 0) / runs.length;
    return { valLoss: mean("valLoss"), testLoss: mean("testLoss"), testAccuracy: mean("testAccuracy") };
  }
}

/**
 * The two regrets. Validation: what the searches optimise. Test: what the chosen configuration is
 * worth on data no search saw. They differ because choosing among many configurations by their
 * validation loss also fits the validation part's particular samples (over-fitting in model
 * selection): with a small validation part, the search that fully trains the most configurations
 * looks best on validation even where its choice is no better on test.
 */
const MEASURES = [
  { name: "val", description: "its expected validation loss", of: (e: Expected) => e.valLoss },
  { name: "test", description: "its expected loss on the test part, which no search saw", of: (e: Expected) => e.testLoss },
];

const finalBest = (r: RunResult): Completed | null => r.curve.at(-1)?.[1] ?? null;

/** The best fully trained trial once `budget` steps were consumed. */
function bestAt(r: RunResult, budget: number): Completed | null {
  let best: Completed | null = null;
  for (const [steps, trial] of r.curve) if (steps <= budget) best = trial;
  return best;
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return "inf";
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (x === 0) return "0";
  return Math.abs(x) >= 0.01 ? x.toPrecision(3) : x.toExponential(2);
}

/**
 * The row of a contender's Optuna peer, named after the first contender with that peer: contenders
 * that differ only on our side (the rung view, the sampler) share one Optuna run.
 */
function optunaLabeller(list: TfjsContender[]): (c: TfjsContender) => string {
  const byPeer = new Map<string, string>();
  for (const c of list) {
    const key = JSON.stringify(c.optuna ?? null);
    if (!byPeer.has(key)) byPeer.set(key, `optuna ${c.label.replace(/\+.*$/, "")} (TPE)`);
  }
  return (c) => byPeer.get(JSON.stringify(c.optuna ?? null))!;
}

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
  const tfjs = await createTfjsMlpTrainer({ device: { kind: "cpu" } });
  const cache = options.curveCache ? new CurveCache(tfjs, options.curveCache) : null;
  const trainer: Trainer = cache ?? tfjs;
  const space: ParamSpec[] = parseSearchSpace(tfjsMlpSearchSpace(task(options, 0)));
  const list = [...contenders(options.epochs), ...options.extra].filter((c) => !options.only || options.only.includes(c.label));
  const optunaLabel = optunaLabeller(list);
  const optuna = options.optuna ? optunaScript() : "skipped (--no-optuna)";
  console.log(
    `\n=== tfjs-mlp on ${options.dataset} (backend ${trainer.backend()}), validation loss, epochs 1..${options.epochs}, ` +
      `${options.trials} trials, ${options.seeds} seeds (from ${options.firstSeed}), sampler TPE unless a row names another; the trainer's default space (${space.map((s) => s.name).join(", ")}).`,
  );
  if (typeof optuna === "string") console.log(`Optuna side by side: ${optuna}.`);

  const results = new Map<string, RunResult[]>();
  /** Expected values by patience: early stopping is part of how a configuration trains. */
  const expectedBy = new Map<number, ExpectedValues>();
  const patienceOf = new Map<string, number>();
  const run = async (label: string, make: (seed: number) => SearchDriver, patience: number) => {
    const t0 = Date.now();
    const runs: RunResult[] = [];
    for (let seed = options.firstSeed; seed < options.firstSeed + options.seeds; seed++) runs.push(await runSearch(trainer, make(seed), options, patience));
    results.set(label, runs);
    patienceOf.set(label, patience);
    if (!expectedBy.has(patience)) expectedBy.set(patience, new ExpectedValues(trainer, options, patience));
    process.stderr.write(`  ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  };
  for (const c of list) {
    await run(c.label, (seed) => new EngineDriver(space, "MINIMIZE", c.sampler ?? "TPE", seed, c.pruner, c.multiFidelity, c.samplerOptions), c.patience ?? 0);
    if (c.optuna && (c.goal || options.optunaAll) && typeof optuna !== "string" && !results.has(optunaLabel(c))) {
      const spec = c.optuna;
      await run(optunaLabel(c), (seed) => new OptunaDriver(optuna.python, optuna.script, space, "MINIMIZE", seed, spec), 0);
    }
  }

  // The expected value of every configuration a search chose: at its end, and at the budgets of
  // the side-by-side comparisons below.
  const t0 = Date.now();
  const expected = (label: string, trial: Completed | null): Promise<Expected | null> =>
    trial ? expectedBy.get(patienceOf.get(label)!)!.of(trial) : Promise.resolve(null);
  const finals = new Map<string, Array<Expected | null>>();
  for (const [label, runs] of results) finals.set(label, await Promise.all(runs.map((r) => expected(label, finalBest(r)))));
  const pairs = list.filter((c) => results.has(optunaLabel(c)));
  const atBudget = new Map<string, { ours: Array<Expected | null>; theirs: Array<Expected | null> }>();
  for (const c of pairs) {
    const ours = results.get(c.label)!;
    const theirs = results.get(optunaLabel(c))!;
    const budgets = ours.map((r, s) => Math.min(r.steps, theirs[s]?.steps ?? 0));
    atBudget.set(c.label, {
      ours: await Promise.all(ours.map((r, s) => expected(c.label, bestAt(r, budgets[s])))),
      theirs: await Promise.all(theirs.map((r, s) => expected(optunaLabel(c), bestAt(r, budgets[s])))),
    });
  }
  await trainer.close?.();
  process.stderr.write(`  retraining the chosen configurations (${options.retrains} seeds each): ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  if (cache) process.stderr.write(`  curve cache ${options.curveCache}: ${cache.counts.replayed} trials replayed, ${cache.counts.trained} trained\n`);

  const chosen = [...finals.values(), ...[...atBudget.values()].flatMap((x) => [x.ours, x.theirs])].flat().filter((e): e is Expected => e !== null);
  const measures = MEASURES.map((m) => ({ ...m, reference: Math.min(...chosen.map(m.of)) }));
  const regretsOf = (m: (typeof measures)[number], es: Array<Expected | null>) => es.map((e) => (e ? m.of(e) - m.reference : Infinity));
  // The value the search itself saw, against the best any search saw (the earlier measure).
  const seenReference = Math.min(...[...results.values()].flat().map((r) => finalBest(r)?.value ?? Infinity));
  const seenRegret = (r: RunResult) => (finalBest(r)?.value ?? Infinity) - seenReference;
  const spread = (xs: number[]) => `${fmt(median(xs))} (${fmt(quantile(xs, 0.25))} .. ${fmt(quantile(xs, 0.75))})`;

  const none = results.get("NONE");
  const noneSteps = none ? median(none.map((r) => r.steps)) : NaN;
  const rows = [...results.entries()].map(([label, runs]) => {
    const steps = median(runs.map((r) => r.steps));
    return [
      label,
      fmt(steps),
      none ? `${(noneSteps / steps).toFixed(1)}x` : "-",
      ...measures.map((m) => spread(regretsOf(m, finals.get(label)!))),
      fmt(median(runs.map(seenRegret))),
      fmt(median(runs.map((r) => r.curve.length))),
      fmt(median(runs.map((r) => r.failed))),
      fmt(median(finals.get(label)!.map((e) => e?.testAccuracy ?? NaN))),
    ];
  });
  console.log(
    `\nMedians over seeds (q25 .. q75). Regret is on the search's best fully trained configuration, as the mean of ${options.retrains} trainings with other weight seeds:`,
  );
  for (const m of measures) console.log(`  ${m.name} regret = ${m.description} - ${fmt(m.reference)}, the best of any configuration chosen here.`);
  console.log("seen regret: the best validation loss the search itself saw, against the best any search saw (the lucky draw; it favours searches that fully train more trials).");
  console.log(
    table(
      ["pruner", "total epochs", "fewer than NONE", ...measures.map((m) => `${m.name} regret`), "seen regret", "fully trained", "diverged", "test accuracy"],
      rows,
    ),
  );

  if (none) printRungSignal(none, options.epochs);
  for (const c of list.filter((x) => x.goal)) {
    // The no-pruning search with the same sampler is the reference.
    const noneLabel = noneLabelFor(c);
    const reference = results.get(noneLabel);
    if (!reference) continue;
    const runs = results.get(c.label)!;
    const ratio = median(reference.map((r) => r.steps)) / median(runs.map((r) => r.steps));
    const verdicts = measures.map((m) => {
      const reg = median(regretsOf(m, finals.get(c.label)!));
      const noneUpper = quantile(regretsOf(m, finals.get(noneLabel)!), 0.75);
      return `${m.name} ${fmt(reg)} <= ${fmt(noneUpper)}: ${ratio >= 4 && reg <= noneUpper ? "met" : "NOT met"}`;
    });
    console.log(`Goal ${c.label}: >= 4x fewer epochs (${ratio.toFixed(2)}x), median regret within ${noneLabel}'s spread (<= its q75): ${verdicts.join("; ")}`);
  }
  if (pairs.length) {
    console.log("\nAt equal epochs (per seed, the budget is the smaller of the two searches' totals; regret as above):");
    const eqRows = pairs.flatMap((c) =>
      measures.map((m) => {
        const { ours, theirs } = atBudget.get(c.label)!;
        const a = regretsOf(m, ours);
        const b = regretsOf(m, theirs);
        const { wins, p } = pairedWins(a, b);
        const better = median(a) < median(b);
        return [c.label, optunaLabel(c), m.name, fmt(median(a)), fmt(median(b)), `${wins}/${a.length}`, p.toFixed(3), c.goal ? (better ? "met" : "NOT met") : better ? "(better)" : "(not better)"];
      }),
    );
    console.log(table(["ours", "against", "regret", "our median", "optuna median", "seeds we win", "sign test p", "goal: beat it"], eqRows));
    console.log("sign test p: the chance of winning at least that many seeds (ties left out) if neither search were better.");
  }
}

/**
 * How well an early epoch ranks configurations on this data set: Spearman's rho between the
 * validation loss at epoch e and the trial's value (its best epoch) over NONE's trials, which all
 * train fully; and the same for the best loss up to epoch e, which is what a pruner with
 * rungValue "best" compares. Pruners and rung-trained samplers rely on this ranking at their rungs.
 */
function printRungSignal(none: RunResult[], epochs: number): void {
  const checkpoints = [1, 3, 7, 9, Math.round(epochs / 2)].filter((e, i, all) => e < epochs && all.indexOf(e) === i).sort((a, b) => a - b);
  const rho = (epoch: number, at: (curve: number[]) => number) =>
    median(
      none.map((run) => {
        const curves = run.learningCurves.filter((c) => Number.isFinite(c.epochs[epoch - 1]));
        return spearman(curves.map((c) => at(c.epochs)), curves.map((c) => c.value));
      }),
    );
  const cells = checkpoints.map(
    (epoch) => `epoch ${epoch}: ${fmt(rho(epoch, (c) => c[epoch - 1]))} / ${fmt(rho(epoch, (c) => Math.min(...c.slice(0, epoch).filter(Number.isFinite))))}`,
  );
  console.log(
    `Rank agreement with the final value (NONE's trials, Spearman's rho, median over seeds), of the loss at an early epoch / of the best loss up to it: ${cells.join(", ")}.`,
  );
}

const table = formatTable;
