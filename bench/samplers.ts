/**
 * Sampler benchmark: median regret over seeds on six test functions for every registered sampler,
 * side by side with Optuna 3.1 when /usr/bin/python3 imports it, then ask latency and memory at
 * growing history sizes.
 *
 *   npm run bench:samplers -- [--seeds 10] [--trials 100] [--functions branin,hartmann6]
 *                            [--samplers RANDOM,TPE] [--no-optuna] [--no-quality] [--no-scaling]
 *
 * --samplers names the rows of every table (TPE-mv, "TPE (2 obj)" under TPE); the latency table
 * times Optuna's TPE ask on a like history unless --no-optuna.
 */
import { formatTable } from "./support/stats";
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Rng } from "../server/src/optimization/random";
import { createSampler, samplerTypes } from "../server/src/optimization/samplers/registry";
import type { RelativeSample, Sampler } from "../server/src/optimization/samplers/sampler";
import { AutoSampler } from "../server/src/optimization/samplers/autoSampler";
import { sampleSpaceUniformly } from "../server/src/optimization/samplers/randomSampler";
import type { Direction, JsonValue, ParamSpec, StudyView, TrialView } from "../server/src/optimization/types";
import { type BenchFunction, benchFunctions } from "./functions";

interface Args {
  seeds: number;
  trials: number;
  functions: string[];
  samplers: string[] | null;
  optuna: boolean;
  quality: boolean;
  scaling: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seeds: 10, trials: 100, functions: benchFunctions.map((f) => f.name), samplers: null, optuna: true, quality: true, scaling: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i] ?? "";
    if (a === "--seeds") args.seeds = Number(next());
    else if (a === "--trials") args.trials = Number(next());
    else if (a === "--functions") args.functions = next().split(",");
    else if (a === "--samplers") args.samplers = next().split(",");
    else if (a === "--no-optuna") args.optuna = false;
    else if (a === "--no-quality") args.quality = false;
    else if (a === "--no-scaling") args.scaling = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

/** A benchmark entry: a registered type with options, under a display name. */
interface Contender {
  label: string;
  type: string;
  options: Record<string, JsonValue>;
}

function contenders(filter: string[] | null): Contender[] {
  const types = new Set(samplerTypes());
  const all: Contender[] = [
    { label: "RANDOM", type: "RANDOM", options: {} },
    { label: "QMC", type: "QMC", options: {} },
    { label: "TPE", type: "TPE", options: {} },
    { label: "TPE-mv", type: "TPE", options: { multivariate: true } },
    { label: "GP", type: "GP", options: {} },
    { label: "CMAES", type: "CMAES", options: {} },
    { label: "AUTO", type: "AUTO", options: {} },
  ];
  return all.filter((c) => types.has(c.type) && (!filter || filter.includes(c.label)));
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** One ask's output, recorded so that AUTO can replay GP's asks instead of recomputing them. */
interface Ask {
  params: Record<string, JsonValue>;
  state: JsonValue | undefined;
}

/**
 * Runs one optimisation loop through the Sampler interface; returns the regret of the best value.
 * `record` receives every ask. While AUTO delegates to GP from the first trial on, its asks are
 * exactly GP's with the same seed (samplers are deterministic), so `replay` serves them from GP's
 * run and halves the benchmark's time; the first ask AUTO sends elsewhere ends the replay.
 */
function optimise(sampler: Sampler, fn: BenchFunction, trials: number, record?: Ask[], replay?: Ask[]): number {
  const history: TrialView[] = [];
  const study: StudyView = { directions: ["MINIMIZE"], searchSpace: fn.space, trials: history };
  let state: JsonValue | null = null;
  let best = Infinity;
  let replaying = replay !== undefined && sampler instanceof AutoSampler;
  for (let n = 0; n < trials; n++) {
    let out: RelativeSample;
    replaying &&= replay![n] !== undefined && (sampler as AutoSampler).choose(study).type === "GP";
    if (replaying) {
      const gp = replay![n];
      out = gp.state === undefined ? { params: gp.params } : { params: gp.params, state: { ...((state as Record<string, JsonValue>) ?? {}), GP: gp.state } };
    } else {
      out = sampler.sampleRelative({ study, trialNumber: n, state });
    }
    record?.push({ params: out.params, state: out.state });
    if (out.state !== undefined) state = out.state;
    const value = fn.evaluate(out.params);
    best = Math.min(best, value);
    history.push(completeTrial(n, out.params, fn.space, [value]));
  }
  return best - fn.optimum;
}

function completeTrial(number: number, params: Record<string, JsonValue>, space: ParamSpec[], values: number[]): TrialView {
  const distributions: Record<string, ParamSpec> = {};
  for (const spec of space) if (spec.name in params) distributions[spec.name] = spec;
  return { number, state: "COMPLETE", params, distributions, values, intermediateValues: [] };
}

// Reference medians measured earlier with Optuna 3.1 on this kind of machine (best of its
// samplers; ackley5 excludes QMC, which lands on the centre by construction).
const OPTUNA_REFERENCE: Record<string, number> = { branin: 0.0134, hartmann6: 0.181, rosenbrock4: 38.0, ackley5: 6.2, styblinski5: 22.1 };

type OptunaResults = Record<string, Record<string, number>>;

/** Starts the Optuna side at once (it runs in its own process while this one benchmarks). */
function runOptuna(args: Args): Promise<OptunaResults | string> {
  const python = "/usr/bin/python3";
  const script = [path.join(__dirname, "optuna_samplers.py"), path.join(__dirname, "..", "..", "bench", "optuna_samplers.py")].find((p) => existsSync(p));
  if (!existsSync(python) || !script) return Promise.resolve("python3 or bench/optuna_samplers.py not found");
  try {
    execFileSync(python, ["-c", "import optuna"], { stdio: "ignore" });
  } catch {
    return Promise.resolve("Optuna is not importable by /usr/bin/python3");
  }
  const argv = [script, "--seeds", String(args.seeds), "--trials", String(args.trials), "--functions", args.functions.join(",")];
  return new Promise((resolve) => {
    execFile("nice", ["-n", "10", python, ...argv], { maxBuffer: 1 << 24 }, (err, stdout, stderr) => {
      if (err) return resolve(`Optuna run failed: ${stderr.trim().split("\n").pop()}`);
      resolve(JSON.parse(stdout) as OptunaResults);
    });
  });
}

function fmt(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "-";
  if (x === 0) return "0";
  if (Math.abs(x) >= 100) return x.toFixed(1);
  if (Math.abs(x) >= 0.01) return x.toPrecision(3);
  return x.toExponential(2);
}

const table = formatTable;

async function quality(args: Args): Promise<void> {
  const fns = benchFunctions.filter((f) => args.functions.includes(f.name));
  const list = contenders(args.samplers);
  const optunaPromise = args.optuna ? runOptuna(args) : Promise.resolve("skipped (--no-optuna)");
  const results: Record<string, Record<string, number>> = {};
  const seconds: Record<string, number> = {};
  const gpAsks = new Map<string, Ask[]>();
  for (const fn of fns) {
    results[fn.name] = {};
    for (const c of list) {
      const regrets: number[] = [];
      const start = process.hrtime.bigint();
      for (let seed = 0; seed < args.seeds; seed++) {
        const sampler = createSampler({ type: c.type, seed: 1000 + seed, options: c.options });
        const key = `${fn.name}|${seed}`;
        const record = c.label === "GP" ? [] : undefined;
        regrets.push(optimise(sampler, fn, args.trials, record, gpAsks.get(key)));
        if (record) gpAsks.set(key, record);
      }
      seconds[c.label] = (seconds[c.label] ?? 0) + Number(process.hrtime.bigint() - start) / 1e9;
      results[fn.name][c.label] = median(regrets);
    }
    process.stderr.write(`  ${fn.name} done\n`);
  }
  const optuna = await optunaPromise;
  const optunaLabels = typeof optuna === "string" ? [] : [...new Set(Object.values(optuna).flatMap((r) => Object.keys(r)))];
  console.log(`\nMedian regret (best value - optimum) over ${args.seeds} seeds, ${args.trials} trials; lower is better.`);
  if (typeof optuna === "string") console.log(`Optuna side-by-side: ${optuna}.`);
  const header = ["function", ...list.map((c) => c.label), ...optunaLabels.map((l) => `optuna:${l}`)];
  const rows = fns.map((fn) => [fn.name, ...list.map((c) => fmt(results[fn.name][c.label])), ...optunaLabels.map((l) => fmt(typeof optuna === "string" ? undefined : optuna[fn.name]?.[l]))]);
  console.log(table(header, rows));
  console.log(`Run time per sampler (s): ${list.map((c) => `${c.label} ${seconds[c.label].toFixed(1)}`).join(", ")}`);
  if (gpAsks.size > 0 && list.some((c) => c.label === "AUTO")) console.log("(AUTO's asks that went to GP were replayed from the GP column: same seed, same result.)");

  const chosen = list.find((c) => c.label === "AUTO") ?? list.find((c) => c.label === "TPE-mv") ?? list[list.length - 1];
  if (!chosen) return;
  console.log(`\nGoals for ${chosen.label}:`);
  const goalRows: string[][] = [];
  for (const fn of fns) {
    const ours = results[fn.name][chosen.label];
    if (fn.name === "hpo_mixed") {
      const tpe = typeof optuna === "string" ? undefined : optuna[fn.name]?.tpe;
      goalRows.push([fn.name, fmt(ours), "optuna TPE", fmt(tpe), tpe === undefined ? "-" : (ours / tpe).toFixed(2), tpe === undefined ? "n/a (no Optuna)" : ours < tpe ? "met" : "NOT met"]);
      continue;
    }
    const measured = typeof optuna === "string" ? undefined : bestOptuna(optuna[fn.name], fn.name);
    const reference = OPTUNA_REFERENCE[fn.name];
    const target = measured ?? reference;
    const source = measured !== undefined ? "optuna best (now)" : "optuna best (ref)";
    const met = ours < target && (reference === undefined || ours < reference);
    goalRows.push([fn.name, fmt(ours), source, fmt(target), (ours / target).toFixed(2), met ? "met" : "NOT met"]);
  }
  console.log(table(["function", chosen.label, "against", "target", "ratio", "goal"], goalRows));
  if (typeof optuna !== "string") console.log(`(reference medians from earlier Optuna runs: ${Object.entries(OPTUNA_REFERENCE).map(([k, v]) => `${k} ${v}`).join(", ")}; a goal needs both)`);
}

function bestOptuna(results: Record<string, number> | undefined, fn: string): number | undefined {
  if (!results) return undefined;
  const values = Object.entries(results)
    .filter(([label]) => !(fn === "ackley5" && label === "qmc"))
    .map(([, v]) => v)
    .filter((v) => Number.isFinite(v));
  return values.length ? Math.min(...values) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Ask latency and memory.

const MIXED8: ParamSpec[] = [
  ...Array.from({ length: 5 }, (_, i): ParamSpec => ({ name: `f${i}`, type: "FLOAT", low: -5, high: 5, log: false, step: null })),
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true, step: null },
  { name: "units", type: "INT", low: 16, high: 512, log: false, step: 16 },
  { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
];
const FLOAT8: ParamSpec[] = Array.from({ length: 8 }, (_, i) => ({ name: `x${i}`, type: "FLOAT", low: -5, high: 5, log: false, step: null }));
const GRID8: ParamSpec[] = Array.from({ length: 8 }, (_, i) => ({ name: `g${i}`, type: "INT", low: 0, high: 4, log: false, step: 1 }));

function syntheticStudy(space: ParamSpec[], n: number, directions: Direction[], seed = 7): StudyView {
  const rng = new Rng(seed);
  const trials: TrialView[] = [];
  for (let i = 0; i < n; i++) {
    const params = sampleSpaceUniformly(space, rng);
    let v = 0;
    for (const spec of space) if (typeof params[spec.name] === "number" && spec.type !== "CATEGORICAL") v += ((params[spec.name] as number) - 0.3) ** 2;
    const values = directions.map((_, k) => (k === 0 ? v : v * 0.5 + rng.random()));
    trials.push(completeTrial(i, params, space, values));
  }
  return { directions, searchSpace: space, trials };
}

const gc: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

interface AskCost {
  ms: number;
  /** The fastest ask: on a shared machine, the closest to the ask's own cost. */
  minMs: number;
  /** Median CPU time of the process during an ask (wall time also counts waiting for a core). */
  cpuMs: number;
  heapMb: number;
  rssMb: number;
}

/**
 * Median wall time of `repeats` asks, and the largest heap/RSS growth one ask caused. With
 * `collect`, a full collection precedes each ask so that its memory growth reads cleanly; that
 * also makes V8 drop the hidden classes of objects no longer alive and re-optimise the code
 * that used them, so those asks are slower than a server's steady state (the latency table
 * shows both).
 */
function measureAsk(type: string, options: Record<string, JsonValue>, study: StudyView, repeats: number, collect = true): AskCost {
  const times: number[] = [];
  const cpu: number[] = [];
  let heap = 0;
  let rss = 0;
  for (let r = 0; r < repeats; r++) {
    const sampler = createSampler({ type, seed: 11 + r, options });
    if (collect) gc();
    const before = process.memoryUsage();
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    sampler.sampleRelative({ study, trialNumber: study.trials.length + r, state: null });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpuUsed = process.cpuUsage(cpuBefore);
    const after = process.memoryUsage();
    times.push(ms);
    cpu.push((cpuUsed.user + cpuUsed.system) / 1000);
    heap = Math.max(heap, (after.heapUsed - before.heapUsed) / 2 ** 20);
    rss = Math.max(rss, (after.rss - before.rss) / 2 ** 20);
  }
  return { ms: median(times), minMs: Math.min(...times), cpuMs: median(cpu), heapMb: heap, rssMb: rss };
}

/**
 * Optuna 3.1's TPE ask on histories like syntheticStudy's (same spaces and objective, its own
 * random draws), for the latency table's peer column: median ms by space label and mode.
 */
const OPTUNA_ASK_SCRIPT = `
import json, random, statistics, sys, time, warnings
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")
n, reps = int(sys.argv[1]), int(sys.argv[2])
spaces = {
    "8 floats": {f"x{i}": FloatDistribution(-5, 5) for i in range(8)},
    "8 mixed": {**{f"f{i}": FloatDistribution(-5, 5) for i in range(5)}, "lr": FloatDistribution(1e-5, 1, log=True),
                "units": IntDistribution(16, 512, step=16), "opt": CategoricalDistribution(["adam", "sgd", "rmsprop"])},
}
out = {}
for label, space in spaces.items():
    rng = random.Random(7)
    trials = []
    for _ in range(n):
        params = {}
        for name, d in space.items():
            if isinstance(d, CategoricalDistribution):
                params[name] = rng.choice(d.choices)
            elif isinstance(d, IntDistribution):
                params[name] = d.low + d.step * rng.randrange((d.high - d.low) // d.step + 1)
            elif d.log:
                params[name] = d.low * (d.high / d.low) ** rng.random()
            else:
                params[name] = d.low + (d.high - d.low) * rng.random()
        value = sum((v - 0.3) ** 2 for v in params.values() if not isinstance(v, str))
        trials.append(optuna.trial.create_trial(params=params, distributions=space, value=value))
    out[label] = {}
    for mode, multivariate in (("TPE", False), ("TPE-mv", True)):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=11, multivariate=multivariate))
        study.add_trials(trials)
        times = []
        for r in range(reps + 1):
            start = time.perf_counter()
            trial = study.ask(fixed_distributions=space)
            elapsed = (time.perf_counter() - start) * 1000
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            if r > 0:
                times.append(elapsed)
        out[label][mode] = statistics.median(times)
print(json.dumps(out))
`;

type OptunaAsks = Record<string, Record<string, number>>;

/** Times Optuna's asks after ours, so the two never share the CPU (a string says why there is none). */
function optunaAskLatency(args: Args, trials: number, repeats: number): OptunaAsks | string {
  if (!args.optuna) return "skipped (--no-optuna)";
  const python = "/usr/bin/python3";
  try {
    execFileSync(python, ["-c", "import optuna"], { stdio: "ignore" });
  } catch {
    return "Optuna is not importable by /usr/bin/python3";
  }
  try {
    const stdout = execFileSync(python, ["-c", OPTUNA_ASK_SCRIPT, String(trials), String(repeats)], { maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"] });
    return JSON.parse(stdout.toString()) as OptunaAsks;
  } catch (e) {
    return `Optuna run failed: ${String((e as { stderr?: Buffer }).stderr ?? e).trim().split("\n").pop()}`;
  }
}

/** With --samplers, the latency rows of a label are kept when the list names it. */
function wanted(args: Args, label: string): boolean {
  return !args.samplers || args.samplers.includes(label.replace(/ \(2 obj\)$/, ""));
}

function scaling(args: Args): void {
  const types = new Set(samplerTypes());
  const tpeLabels = (["TPE", "TPE-mv"] as const).filter((l) => types.has("TPE") && wanted(args, l));
  console.log(
    "\nOne ask with a long history: median, fastest and median CPU time of 21 asks in a row, each on a fresh sampler; then the median of 21 asks each right after a full collection:",
  );
  const rows: Array<{ cells: string[]; ms: number; peer?: [string, string] }> = [];
  const cases = (["8 floats", "8 mixed"] as const).flatMap((space) =>
    tpeLabels.map((label) => ({ space, label, options: (label === "TPE-mv" ? { multivariate: true } : {}) as Record<string, JsonValue> })),
  );
  const histories = { "8 floats": syntheticStudy(FLOAT8, 1000, ["MINIMIZE"]), "8 mixed": syntheticStudy(MIXED8, 1000, ["MINIMIZE"]) };
  // Every steady-state series first, each after 20 asks of warm-up: a full collection drops
  // optimised code, so a series right after the collected ones would time the re-warming.
  const steady = cases.map((c) => {
    measureAsk("TPE", c.options, histories[c.space], 20, false);
    return measureAsk("TPE", c.options, histories[c.space], 21, false);
  });
  const cold = cases.map((c) => measureAsk("TPE", c.options, histories[c.space], 21));
  cases.forEach((c, k) => {
    const s = steady[k];
    rows.push({
      cells: [`${c.label}, 1000 trials, ${c.space}`, s.ms.toFixed(2), s.minMs.toFixed(2), s.cpuMs.toFixed(2), cold[k].ms.toFixed(1), "< 5", s.ms < 5 ? "met" : "NOT met"],
      ms: s.ms,
      peer: [c.space, c.label],
    });
  });
  if (types.has("GP") && wanted(args, "GP")) {
    const study = syntheticStudy(FLOAT8, 200, ["MINIMIZE"]);
    const gp = measureAsk("GP", {}, study, 3, false);
    const cold = measureAsk("GP", {}, study, 3);
    rows.push({ cells: ["GP, 200 trials, 8 floats", gp.ms.toFixed(1), gp.minMs.toFixed(1), gp.cpuMs.toFixed(1), cold.ms.toFixed(1), "< 300", gp.ms < 300 ? "met" : "NOT met"], ms: gp.ms });
  }
  const optuna = tpeLabels.length > 0 ? optunaAskLatency(args, 1000, 5) : "no TPE rows";
  console.log(
    table(
      ["ask", "ms", "min ms", "cpu ms", "ms after full GC", "goal", "status", "optuna ms", "optuna / ours"],
      rows.map((r) => {
        const peer = r.peer && typeof optuna !== "string" ? optuna[r.peer[0]]?.[r.peer[1]] : undefined;
        return [...r.cells, peer === undefined ? "-" : peer.toFixed(1), peer === undefined ? "-" : (peer / r.ms).toFixed(1)];
      }),
    ),
  );
  if (typeof optuna === "string") console.log(`Optuna's TPE ask (1000 trials): ${optuna}.`);
  else console.log("(optuna ms: Optuna 3.1's TPESampler, median of 5 asks on a like history of 1000 trials, timed after ours)");

  console.log("\nAsk time and memory growth by history size (limit: 2000 ms and 200 MB per ask):");
  const sizes = [100, 1000, 10000];
  const entries: Array<{ label: string; type: string; options: Record<string, JsonValue>; space: ParamSpec[]; directions: Direction[] }> = [];
  for (const t of samplerTypes()) {
    if (t === "GRID") entries.push({ label: t, type: t, options: {}, space: GRID8, directions: ["MINIMIZE"] });
    else if (t === "NSGA2") entries.push({ label: t, type: t, options: {}, space: MIXED8, directions: ["MINIMIZE", "MINIMIZE"] });
    else entries.push({ label: t, type: t, options: {}, space: MIXED8, directions: ["MINIMIZE"] });
    if (t === "TPE") entries.push({ label: "TPE-mv", type: t, options: { multivariate: true }, space: MIXED8, directions: ["MINIMIZE"] });
    if (t === "TPE" || t === "AUTO") entries.push({ label: `${t === "TPE" ? "TPE" : "AUTO"} (2 obj)`, type: t, options: {}, space: MIXED8, directions: ["MINIMIZE", "MINIMIZE"] });
  }
  const studies = new Map<string, StudyView>();
  const scaleRows: string[][] = [];
  let allOk = true;
  for (const e of entries.filter((x) => wanted(args, x.label))) {
    const row = [e.label];
    let ok = true;
    for (const n of sizes) {
      const key = `${e.space === GRID8 ? "grid" : "mixed"}|${e.directions.length}|${n}`;
      if (!studies.has(key)) studies.set(key, syntheticStudy(e.space, n, e.directions));
      const cost = measureAsk(e.type, e.options, studies.get(key)!, n >= 10000 ? 3 : 5);
      ok &&= cost.ms < 2000 && cost.heapMb < 200 && cost.rssMb < 200;
      row.push(cost.ms.toFixed(n >= 10000 ? 0 : 1), `${cost.heapMb.toFixed(1)}/${cost.rssMb.toFixed(1)}`);
    }
    row.push(ok ? "yes" : "NO");
    allOk &&= ok;
    scaleRows.push(row);
  }
  console.log(table(["sampler", ...sizes.flatMap((n) => [`${n}: ms`, "heap/rss MB"]), "within limits"], scaleRows));
  console.log(`Every sampler within 2 s and 200 MB per ask: ${allOk ? "yes" : "NO"}`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  console.log(`Registered samplers: ${samplerTypes().join(", ")}`);
  if (args.quality) await quality(args);
  if (args.scaling) scaling(args);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
