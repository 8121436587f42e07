/**
 * Pruning benchmark: the same sampler and seeds on a multi-fidelity function (MF-Hartmann6, steps
 * 1..100, biased and noisy at low steps) with and without each pruner. Every trial reports its
 * value at steps 1..100 and stops when pruned. Prints the total steps consumed, the median regret
 * of the best fully trained trial over seeds and its spread, side by side with Optuna 3.1's
 * pruners (TPE sampler) at equal steps when /usr/bin/python3 imports Optuna; then the cost of one
 * decision with 1,000 finished trials of 100 steps each. The goal rows are SH and HB with TPE on
 * BOHB's rung view and with the GP's joint multi-fidelity model (MOBSTER); each is judged against
 * the search without pruning that uses its own sampler ("NONE", "NONE GP").
 *
 * Presets (mf-prior-bench's): "default" (bias 0.5, noise 0.1; ranks at low steps mostly hold) and
 * "good" (bias 2.5, noise 2; low steps are a poor guide), both by default.
 *
 * Then the same question on real learning curves (pruning/tfjsCurves.ts): tfjs-mlp trials on a
 * built-in data set, one epoch a step, with and without each pruner, beside Optuna's TPE and
 * pruners driving the same training.
 *
 *   npm run bench:pruning -- [--seeds 10] [--trials 200] [--workers 1,4] [--presets default,good]
 *                           [--optuna-presets default,good] [--optuna-all]
 *                           [--only NONE,SH] [--no-optuna] [--no-speed] [--no-quality] [--no-tfjs]
 *                           [--extra '[{"label": "SH-r5", "pruner": {...}, "multiFidelity": {}, "sampler": "GP", "samplerOptions": {}}]']
 *                           [--tfjs-only] [--tfjs-dataset breast_cancer] [--tfjs-epochs 27] [--tfjs-trials 200] [--tfjs-seeds 5]
 *                           [--tfjs-retrains 5] [--tfjs-first-seed 0] [--tfjs-curve-cache FILE] [--tfjs-extra '[{"label": ...}]']
 */
import { formatTable, pairedWins } from "./support/stats";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { buildRungView, type RungViewOptions } from "../server/src/optimization/multiFidelity/rungView";
import { samplerView } from "../server/src/optimization/multiFidelity/samplerView";
import type { Pruner, PrunerConfig } from "../server/src/optimization/pruners/pruner";
import { createPruner } from "../server/src/optimization/pruners/registry";
import { Rng } from "../server/src/optimization/random";
import { createSampler, samplerTypes } from "../server/src/optimization/samplers/registry";
import type { JsonValue, ParamSpec, StudyView, TrialView } from "../server/src/optimization/types";
import { MF_HARTMANN6_PRESETS, type MultiFidelityFunction, mfHartmann6 } from "./mfFunctions";
import { runTfjsCurves, type TfjsContender, type TfjsCurvesOptions } from "./pruning/tfjsCurves";

interface Args {
  seeds: number;
  trials: number;
  workers: number[];
  presets: string[];
  only: string[] | null;
  optuna: boolean;
  speed: boolean;
  quality: boolean;
  /** Presets run side by side with Optuna (it takes most of the run time). */
  optunaPresets: string[];
  /** Run the Optuna peer of every contender, not only of the goal rows. */
  optunaAll: boolean;
  /** More contenders, as JSON (to try other options without editing this file). */
  extra: Contender[];
  /** The real learning curves section; null when skipped. */
  tfjs: Omit<TfjsCurvesOptions, "optuna" | "optunaAll" | "only"> | null;
}

function parseArgs(argv: string[]): Args {
  const env = process.env;
  const args: Args = {
    seeds: Number(env.PRUNING_SEEDS ?? 10),
    trials: Number(env.PRUNING_TRIALS ?? 200),
    workers: [1, 4],
    presets: ["default", "good"],
    optunaPresets: ["default", "good"],
    optunaAll: false,
    only: null,
    optuna: true,
    speed: true,
    quality: true,
    extra: [],
    tfjs: { dataset: "breast_cancer", epochs: 27, trials: Number(env.PRUNING_TRIALS ?? 200), seeds: 5, firstSeed: 0, retrains: 5, curveCache: null, extra: [] },
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? "";
    if (a === "--seeds") args.seeds = Number(next());
    else if (a === "--trials") args.trials = Number(next());
    else if (a === "--workers") args.workers = next().split(",").map(Number);
    else if (a === "--presets") args.presets = next().split(",");
    else if (a === "--optuna-presets") args.optunaPresets = next().split(",");
    else if (a === "--optuna-all") args.optunaAll = true;
    else if (a === "--only") args.only = next().split(",");
    else if (a === "--no-optuna") args.optuna = false;
    else if (a === "--no-speed") args.speed = false;
    else if (a === "--no-quality") args.quality = false;
    else if (a === "--extra") args.extra = JSON.parse(next()) as Contender[];
    else if (a === "--no-tfjs") args.tfjs = null;
    else if (a === "--tfjs-only") Object.assign(args, { quality: false, speed: false });
    else if (a === "--tfjs-dataset") args.tfjs!.dataset = next();
    else if (a === "--tfjs-epochs") args.tfjs!.epochs = Number(next());
    else if (a === "--tfjs-trials") args.tfjs!.trials = Number(next());
    else if (a === "--tfjs-seeds") args.tfjs!.seeds = Number(next());
    else if (a === "--tfjs-retrains") args.tfjs!.retrains = Number(next());
    else if (a === "--tfjs-first-seed") args.tfjs!.firstSeed = Number(next());
    else if (a === "--tfjs-curve-cache") args.tfjs!.curveCache = next();
    else if (a === "--tfjs-extra") args.tfjs!.extra = JSON.parse(next()) as TfjsContender[];
    else throw new Error(`unknown argument ${a}`);
  }
  for (const p of args.presets) {
    if (!(p in MF_HARTMANN6_PRESETS)) throw new Error(`--presets takes ${Object.keys(MF_HARTMANN6_PRESETS).join(", ")}`);
  }
  return args;
}

/** An Optuna pruner: the class in optuna.pruners and its keyword arguments. */
interface OptunaPruner {
  label: string;
  type: "NopPruner" | "MedianPruner" | "SuccessiveHalvingPruner" | "HyperbandPruner";
  kwargs: Record<string, number | string>;
}

/** One configuration under test. */
interface Contender {
  label: string;
  pruner: PrunerConfig;
  /** Train the sampler on BOHB's rung view (multiFidelity/) instead of the raw or bracket history. */
  multiFidelity: RungViewOptions | null;
  /** Our sampler, when not the table's (TPE). */
  sampler?: string;
  /** Options of our sampler (e.g. { "constantLiar": false }); default: its defaults. */
  samplerOptions?: Record<string, JsonValue>;
  /** The Optuna pruner with the same settings, compared at equal steps. */
  optuna?: OptunaPruner;
  /**
   * Counts for the goals: NONE's regret with >= 4x fewer steps, and beating Optuna at equal steps.
   * Goal rows (and NONE) also run with several workers; Optuna runs their peers only, unless
   * --optuna-all.
   */
  goal?: boolean;
}

const OPTUNA_SH: OptunaPruner = { label: "SH", type: "SuccessiveHalvingPruner", kwargs: {} };
const OPTUNA_SH6: OptunaPruner = { label: "SH eta6", type: "SuccessiveHalvingPruner", kwargs: { reduction_factor: 6 } };
const OPTUNA_HB: OptunaPruner = { label: "HB", type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: 100, reduction_factor: 3 } };
const OPTUNA_HB6: OptunaPruner = { label: "HB eta6", type: "HyperbandPruner", kwargs: { min_resource: 1, max_resource: 100, reduction_factor: 6 } };
const OPTUNA_SH7: OptunaPruner = { label: "SH eta7", type: "SuccessiveHalvingPruner", kwargs: { reduction_factor: 7 } };
const OPTUNA_HB7: OptunaPruner = {
  label: "HB eta7 b1",
  type: "HyperbandPruner",
  kwargs: { min_resource: 1, max_resource: 100, reduction_factor: 7, bootstrap_count: 1 },
};

/**
 * SH and HB with Optuna's settings (the bracket filter for HB's sampler, as Optuna), with eta = 6,
 * and with eta = 7 (HB also with a bootstrap count of 1) and the sampler trained on the rung view:
 * the configuration the goals are judged on (with 100 steps, eta 7 puts the rungs at 1, 7 and 49;
 * eta 6 at 1, 6 and 36).
 */
const CONTENDERS: Contender[] = [
  { label: "NONE", pruner: { type: "NONE", options: {} }, multiFidelity: null },
  { label: "MEDIAN", pruner: { type: "MEDIAN", options: {} }, multiFidelity: null },
  { label: "SH", pruner: { type: "SUCCESSIVE_HALVING", options: {} }, multiFidelity: null, optuna: OPTUNA_SH },
  { label: "SH+rungview", pruner: { type: "SUCCESSIVE_HALVING", options: {} }, multiFidelity: {}, optuna: OPTUNA_SH },
  { label: "SH eta6+rungview", pruner: { type: "SUCCESSIVE_HALVING", options: { reductionFactor: 6 } }, multiFidelity: {}, optuna: OPTUNA_SH6 },
  { label: "SH eta7+rungview", pruner: { type: "SUCCESSIVE_HALVING", options: { reductionFactor: 7 } }, multiFidelity: {}, optuna: OPTUNA_SH7, goal: true },
  { label: "HB", pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 3 } }, multiFidelity: null, optuna: OPTUNA_HB },
  { label: "HB+rungview", pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 3 } }, multiFidelity: {}, optuna: OPTUNA_HB },
  {
    label: "HB eta6+rungview",
    pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 6 } },
    multiFidelity: {},
    optuna: OPTUNA_HB6,
  },
  {
    // bootstrapCount 1: a rung promotes no trial until another has reached it (the first to
    // arrive is pruned, as in Optuna), so early trials do not pass rungs that nobody competes at.
    label: "HB eta7 b1+rungview",
    pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 7, bootstrapCount: 1 } },
    multiFidelity: {},
    optuna: OPTUNA_HB7,
    goal: true,
  },
  // The GP with the joint multi-fidelity model (MOBSTER), which also learns from the trials that
  // were pruned; its goal reference is the GP without pruning.
  { label: "NONE GP", sampler: "GP", pruner: { type: "NONE", options: {} }, multiFidelity: null },
  {
    label: "SH eta7+joint GP",
    sampler: "GP",
    pruner: { type: "SUCCESSIVE_HALVING", options: { reductionFactor: 7 } },
    multiFidelity: { model: "joint" },
    optuna: OPTUNA_SH7,
    goal: true,
  },
  {
    label: "HB eta7 b1+joint GP",
    sampler: "GP",
    pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 7, bootstrapCount: 1 } },
    multiFidelity: { model: "joint" },
    optuna: OPTUNA_HB7,
    goal: true,
  },
];

/** What one search gave: steps consumed, and the best fully trained regret after each completion. */
interface RunResult {
  steps: number;
  /** [steps consumed so far, best regret so far] at each trial that reached the last step. */
  curve: Array<[number, number]>;
}

function finalRegret(r: RunResult): number {
  return r.curve.length ? r.curve[r.curve.length - 1][1] : Infinity;
}

/** The best fully trained regret once `budget` steps were consumed. */
function regretAt(r: RunResult, budget: number): number {
  let best = Infinity;
  for (const [steps, regret] of r.curve) if (steps <= budget) best = regret;
  return best;
}

/** Steps consumed when the best fully trained regret first got to `target` (Infinity if never). */
function stepsToReach(r: RunResult, target: number): number {
  for (const [steps, regret] of r.curve) if (regret <= target) return steps;
  return Infinity;
}

interface Slot {
  view: TrialView;
  noise: Rng;
}

/**
 * Runs one search with `workers` trials in flight: each tick every busy worker reports one step,
 * in worker order, and each report is decided against the history at that moment (as the service
 * serialises reports per study). A worker whose trial ends asks for the next one at once.
 */
function search(fn: MultiFidelityFunction, c: Contender, samplerType: string, seed: number, nTrials: number, workers: number): RunResult {
  const sampler = createSampler({ type: c.sampler ?? samplerType, seed, options: c.samplerOptions ?? {} });
  const pruner: Pruner = createPruner(c.pruner);
  const history: TrialView[] = [];
  const base: StudyView = { directions: ["MINIMIZE"], searchSpace: fn.space, trials: history };
  const distributions = Object.fromEntries(fn.space.map((s): [string, ParamSpec] => [s.name, s]));
  let state: JsonValue | null = null;
  let started = 0;
  let steps = 0;
  let best = Infinity;
  const curve: Array<[number, number]> = [];

  const start = (): Slot | null => {
    if (started >= nTrials) return null;
    const number = started++;
    const view = samplerView(base, pruner, number, c.multiFidelity);
    const sample = sampler.sampleRelative({ study: view, trialNumber: number, state });
    if (sample.state !== undefined) state = sample.state;
    const trial: TrialView = { number, state: "RUNNING", params: sample.params, distributions, values: null, intermediateValues: [] };
    history.push(trial);
    return { view: trial, noise: Rng.derive(seed, 7919, number) };
  };

  const slots: Array<Slot | null> = [];
  for (let w = 0; w < workers; w++) slots.push(start());
  while (slots.some((s) => s)) {
    for (let w = 0; w < workers; w++) {
      const slot = slots[w];
      if (!slot) continue;
      const t = slot.view;
      const step = t.intermediateValues.length + 1;
      const value = fn.evaluate(t.params, step, slot.noise);
      t.intermediateValues.push({ step, value });
      steps++;
      const others = history.filter((o) => o !== t);
      const decision = pruner.prune({ ...base, trials: others }, t);
      if (decision.shouldPrune || step === fn.maxStep) {
        t.state = decision.shouldPrune ? "PRUNED" : "COMPLETE";
        t.values = [value];
        if (!decision.shouldPrune) {
          best = Math.min(best, fn.exact(t.params) - fn.optimum);
          curve.push([steps, best]);
        }
        slots[w] = start();
      }
    }
  }
  return { steps, curve };
}

// ---------------------------------------------------------------------------------------------
// Optuna side by side.

type OptunaResults = Record<string, RunResult[]>;

/** Runs bench/optuna_pruning.py, the pruners split over two processes (Optuna's TPE is slow). */
function runOptuna(args: Args, bias: number, noise: number, pruners: OptunaPruner[]): Promise<OptunaResults | string> {
  const python = "/usr/bin/python3";
  const script = [path.join(__dirname, "optuna_pruning.py"), path.join(__dirname, "..", "..", "bench", "optuna_pruning.py")].find((p) => existsSync(p));
  if (!existsSync(python) || !script) return Promise.resolve("python3 or bench/optuna_pruning.py not found");
  const one = (part: OptunaPruner[]) =>
    new Promise<OptunaResults | string>((resolve) => {
      const argv = [script, "--seeds", String(args.seeds), "--trials", String(args.trials), "--bias", String(bias), "--noise", String(noise), "--pruners", JSON.stringify(part)];
      execFile("nice", ["-n", "10", python, ...argv], { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
        if (err) return resolve(`Optuna run failed: ${stderr.trim().split("\n").pop()}`);
        resolve(JSON.parse(stdout) as OptunaResults);
      });
    });
  return new Promise((resolve) => {
    execFile(python, ["-c", "import optuna"], (err) => {
      if (err) return resolve("Optuna is not importable by /usr/bin/python3");
      const half = Math.ceil(pruners.length / 2);
      void Promise.all([one(pruners.slice(0, half)), one(pruners.slice(half))]).then((parts) => {
        const failed = parts.find((p): p is string => typeof p === "string");
        resolve(failed ?? Object.assign({}, ...parts));
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Statistics and printing.

function quantile(xs: number[], q: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  if (s[lo] === s[hi]) return s[lo];
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs: number[]) => quantile(xs, 0.5);

function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "-";
  if (!Number.isFinite(x)) return "inf";
  if (x === 0) return "0";
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 0.01) return x.toPrecision(3);
  return x.toExponential(2);
}

const table = formatTable;

/** The label of the no-pruning row with the same sampler as `c`: "NONE", or e.g. "NONE GP". */
function noneLabelFor(c: Contender, tableSampler: string): string {
  return c.sampler && c.sampler !== tableSampler ? `NONE ${c.sampler}` : "NONE";
}

async function quality(args: Args, preset: string): Promise<void> {
  const [bias, noise] = MF_HARTMANN6_PRESETS[preset];
  const fn = mfHartmann6(bias, noise);
  const samplerType = samplerTypes().includes("TPE") ? "TPE" : "RANDOM";
  const list = [...CONTENDERS, ...args.extra].filter((c) => !args.only || args.only.includes(c.label));
  const optunaPruners = [...new Map(list.filter((c) => c.optuna && (c.goal || args.optunaAll)).map((c) => [c.optuna!.label, c.optuna!])).values()];
  const withOptuna = args.optuna && args.optunaPresets.includes(preset) && optunaPruners.length > 0;
  const optunaPromise = withOptuna ? runOptuna(args, bias, noise, optunaPruners) : Promise.resolve(`skipped for this preset (--optuna-presets ${args.optunaPresets.join(",")})`);
  console.log(`\n=== ${fn.name} ("${preset}"), steps 1..${fn.maxStep}, ${args.trials} trials, ${args.seeds} seeds, sampler ${samplerType}${samplerType === "RANDOM" ? " (TPE is not registered)" : ""}.`);

  const results = new Map<string, RunResult[]>();
  const goalNones = new Set(list.filter((c) => c.goal).map((c) => noneLabelFor(c, samplerType)));
  const runsWith = (c: Contender, workers: number) => workers === 1 || c.goal || goalNones.has(c.label) || args.only !== null;
  for (const workers of args.workers) {
    for (const c of list.filter((x) => runsWith(x, workers))) {
      const t0 = process.hrtime.bigint();
      const runs: RunResult[] = [];
      for (let seed = 0; seed < args.seeds; seed++) runs.push(search(fn, c, samplerType, seed, args.trials, workers));
      results.set(`${c.label}|${workers}`, runs);
      process.stderr.write(`  ${c.label}, ${workers} worker(s): ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(1)} s\n`);
    }
  }
  const optuna = await optunaPromise;
  if (typeof optuna === "string") console.log(`Optuna side by side: ${optuna}.`);

  for (const workers of args.workers) {
    const none = results.get(`NONE|${workers}`);
    const noneSteps = none ? median(none.map((r) => r.steps)) : NaN;
    const noneRegrets = none ? none.map(finalRegret) : [];
    const rows: string[][] = [];
    const target = none ? quantile(noneRegrets, 0.75) : NaN;
    const addRow = (label: string, runs: RunResult[]) => {
      const regrets = runs.map(finalRegret);
      const stepsMed = median(runs.map((r) => r.steps));
      rows.push([
        label,
        fmt(stepsMed),
        none ? `${(noneSteps / stepsMed).toFixed(1)}x` : "-",
        fmt(median(regrets)),
        `${fmt(quantile(regrets, 0.25))} .. ${fmt(quantile(regrets, 0.75))}`,
        fmt(median(runs.map((r) => r.curve.length))),
        none ? fmt(median(runs.map((r) => stepsToReach(r, target)))) : "-",
      ]);
    };
    for (const c of list.filter((x) => runsWith(x, workers))) addRow(c.label, results.get(`${c.label}|${workers}`)!);
    if (typeof optuna !== "string" && workers === 1) for (const [name, runs] of Object.entries(optuna)) addRow(`optuna ${name} (TPE)`, runs);
    console.log(`\n${workers} worker(s): median over seeds; regret = best fully trained trial's exact value - optimum;`);
    console.log("the last column: steps consumed when the regret first got to NONE's upper quartile (inf: never).");
    console.log(table(["pruner", "total steps", "fewer than NONE", "median regret", "spread (q25 .. q75)", "fully trained", "steps to NONE's q75"], rows));

    for (const c of list.filter((x) => x.goal)) {
      // The no-pruning search with the same sampler is the reference ("NONE GP" for a GP row).
      const noneLabel = noneLabelFor(c, samplerType);
      const reference = results.get(`${noneLabel}|${workers}`);
      if (!reference) continue;
      const runs = results.get(`${c.label}|${workers}`)!;
      const upper = quantile(reference.map(finalRegret), 0.75);
      const ratio = median(reference.map((r) => r.steps)) / median(runs.map((r) => r.steps));
      const reg = median(runs.map(finalRegret));
      const met = ratio >= 4 && reg <= upper;
      console.log(
        `Goal ${c.label}: ${noneLabel}'s regret within its spread (median ${fmt(reg)} <= its q75 ${fmt(upper)}) with >= 4x fewer total steps (${ratio.toFixed(2)}x): ${met ? "met" : "NOT met"}`,
      );
      // The same question asked of the searches in progress: steps until the q75 was reached.
      const ours = median(runs.map((r) => stepsToReach(r, upper)));
      const theirs = median(reference.map((r) => stepsToReach(r, upper)));
      console.log(
        Number.isFinite(ours)
          ? `  (in progress: ${noneLabel}'s q75 after ${fmt(ours)} steps vs ${noneLabel}'s own ${fmt(theirs)}, ${(theirs / ours).toFixed(2)}x fewer)`
          : `  (in progress: ${noneLabel}'s q75 not reached in most seeds)`,
      );
    }
    if (typeof optuna !== "string" && workers === 1) {
      console.log("\nAt equal steps (per seed, the budget is the smaller of the two searches' totals):");
      const eqRows: string[][] = [];
      for (const c of list.filter((x) => x.optuna && optuna[x.optuna.label])) {
        const ours = results.get(`${c.label}|1`)!;
        const theirs = optuna[c.optuna!.label];
        const a: number[] = [];
        const b: number[] = [];
        for (let s = 0; s < Math.min(ours.length, theirs.length); s++) {
          const budget = Math.min(ours[s].steps, theirs[s].steps);
          a.push(regretAt(ours[s], budget));
          b.push(regretAt(theirs[s], budget));
        }
        const { wins, p } = pairedWins(a, b);
        const better = median(a) < median(b);
        eqRows.push([
          c.label,
          `optuna ${c.optuna!.label}`,
          fmt(median(a)),
          fmt(median(b)),
          `${wins}/${a.length}`,
          p.toFixed(3),
          c.goal ? (better ? "met" : "NOT met") : better ? "(better)" : "(not better)",
        ]);
      }
      console.log(table(["ours", "against", "our median regret", "optuna median regret", "seeds we win", "sign test p", "goal: beat it"], eqRows));
      console.log("sign test p: the chance of winning at least that many seeds (ties left out) if neither search were better.");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decision cost.

function speed(): void {
  const rng = new Rng(3);
  const space: ParamSpec[] = [{ name: "x", type: "FLOAT", low: 0, high: 1, log: false, step: null }];
  const finished: TrialView[] = [];
  for (let i = 0; i < 1000; i++) {
    const level = rng.random();
    const intermediateValues = Array.from({ length: 100 }, (_, s) => ({ step: s + 1, value: level + 1 / (s + 1) + 0.05 * rng.normal() }));
    const intermediateVectors = intermediateValues.map((r) => ({ step: r.step, values: [r.value, 1 - r.value + 0.1 * rng.random()] }));
    finished.push({ number: i, state: "COMPLETE", params: { x: level }, distributions: {}, values: [intermediateValues[99].value], intermediateValues, intermediateVectors });
  }
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials: finished };
  const mo: StudyView = { ...study, directions: ["MINIMIZE", "MINIMIZE"] };
  const cases: Array<[string, PrunerConfig, StudyView, number]> = [
    ["MEDIAN", { type: "MEDIAN", options: {} }, study, 1],
    ["SUCCESSIVE_HALVING", { type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } }, study, 1],
    ["HYPERBAND", { type: "HYPERBAND", options: { minResource: 1, maxResource: 100, reductionFactor: 3 } }, study, 1],
    ["WILCOXON", { type: "WILCOXON", options: {} }, study, 1],
    ["PARETO_SUCCESSIVE_HALVING (2 obj)", { type: "PARETO_SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 3 } }, mo, 1],
  ];
  const rows: string[][] = [];
  for (const [label, config, s, _] of cases) {
    const pruner = createPruner(config);
    // The trial being judged is at a rung (step 27 = 3^3, and an interval step for MEDIAN).
    const times: number[] = [];
    for (let rep = 0; rep < 300; rep++) {
      const intermediateValues = Array.from({ length: 27 }, (_, k) => ({ step: k + 1, value: 0.5 + rng.random() }));
      const trial: TrialView = {
        number: 1000 + rep,
        state: "RUNNING",
        params: { x: 0.5 },
        distributions: {},
        values: null,
        intermediateValues,
        intermediateVectors: intermediateValues.map((r) => ({ step: r.step, values: [r.value, 0.5] })),
      };
      const t0 = process.hrtime.bigint();
      pruner.prune(s, trial);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const ms = median(times.slice(50));
    const goal = label === "MEDIAN" || label === "SUCCESSIVE_HALVING" ? "< 1 ms" : "";
    rows.push([label, ms.toFixed(3), fmt(quantile(times.slice(50), 0.9)), goal, goal ? (ms < 1 ? "met" : "NOT met") : ""]);
  }
  // The rung view a multi-fidelity sampler trains on, over the same history.
  const views: number[] = [];
  for (let rep = 0; rep < 100; rep++) {
    const t0 = process.hrtime.bigint();
    buildRungView(study, [1, 3, 9, 27, 81]);
    views.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  rows.push(["rung view (BOHB), per ask", median(views.slice(20)).toFixed(3), fmt(quantile(views.slice(20), 0.9)), "", ""]);
  console.log("\nOne decision with 1,000 finished trials of 100 steps each (ms, median of 250 after warm-up):");
  console.log(table(["pruner", "median ms", "p90 ms", "goal", "status"], rows));
  gpAskCost(finished);
}

/**
 * What a GP ask costs with the joint multi-fidelity model against the rung view, on 200 trials
 * of a study pruned as SUCCESSIVE_HALVING (eta 7) prunes: most stopped at step 1, a seventh at 7,
 * a few complete. The joint model fits every rung's values (about 230 here); the rung view only
 * the trials at one rung.
 */
function gpAskCost(finished: TrialView[]): void {
  const space: ParamSpec[] = [{ name: "x", type: "FLOAT", low: 0, high: 1, log: false, step: null }];
  const trials = finished.slice(0, 200).map((t, i): TrialView => {
    const steps = i % 49 === 0 ? 100 : i % 7 === 0 ? 7 : 1;
    const intermediateValues = t.intermediateValues.slice(0, steps);
    const complete = steps === 100;
    return { ...t, state: complete ? "COMPLETE" : "PRUNED", intermediateValues, values: [intermediateValues[steps - 1].value] };
  });
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: space, trials };
  const pruner = createPruner({ type: "SUCCESSIVE_HALVING", options: { minResource: 1, reductionFactor: 7 } });
  const rows: string[][] = [];
  for (const [label, options] of [
    // At least 10 values a budget (as d + 2 with 8 parameters), so the view is at step 7, not 49.
    ["rung view (BOHB)", { minObservations: 10 }],
    ["joint model (MOBSTER)", { model: "joint", minObservations: 10 }],
  ] as Array<[string, RungViewOptions]>) {
    const times: number[] = [];
    for (let rep = 0; rep < 12; rep++) {
      const t0 = process.hrtime.bigint();
      const view = samplerView(study, pruner, 200, options);
      createSampler({ type: "GP", seed: rep, options: {} }).sampleRelative({ study: view, trialNumber: 200, state: null });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    rows.push([label, fmt(median(times.slice(2))), fmt(quantile(times.slice(2), 0.9))]);
  }
  console.log("\nOne GP ask after 200 trials under SUCCESSIVE_HALVING (eta 7), ms, median of 10 after warm-up:");
  console.log(table(["GP trained on", "median ms", "p90 ms"], rows));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.quality) for (const preset of args.presets) await quality(args, preset);
  if (args.tfjs) await runTfjsCurves({ ...args.tfjs, optuna: args.optuna, optunaAll: args.optunaAll, only: args.only });
  if (args.speed) speed();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
