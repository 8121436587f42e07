/**
 * Importance benchmark: median time of PED-ANOVA and fANOVA on random-search studies of 100,
 * 1,000 and 10,000 trials with 8 parameters (log, stepped, integer, categorical), and, when
 * /usr/bin/python3 imports Optuna, Optuna 3.1's fANOVA on the same trials: the time ratio and
 * whether the rankings agree (Spearman's rho between the importances). Rho against the true
 * ranking of the synthetic objective's terms is printed for every method.
 *
 *   npm run bench:importance -- [--sizes 100,1000,10000] [--no-optuna] [--optuna-max-trials 1000]
 *
 * Optuna 3.1 has no PED-ANOVA (it came in 3.6), so that row has no peer. Its fANOVA needs
 * scikit-learn (Debian: python3-sklearn) and takes minutes from 1,000 trials on (seen here: about
 * 6 s at 100 trials, over 2 minutes at 1,000), so it runs once per size, up to 1,000 trials
 * unless --optuna-max-trials says otherwise.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fanovaImportances, pedAnovaImportances, type ImportanceInput, type ParamImportance } from "../server/src/optimization/importance";
import { Rng } from "../server/src/optimization/random";
import { sampleUniform } from "../server/src/optimization/space";
import type { JsonValue, ParamSpec } from "../server/src/optimization/types";
import { formatTable, median, spearman } from "./support/stats";

interface Args {
  sizes: number[];
  optuna: boolean;
  optunaMaxTrials: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { sizes: [100, 1000, 10000], optuna: true, optunaMaxTrials: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--sizes") args.sizes = argv[++i].split(",").map(Number);
    else if (a === "--no-optuna") args.optuna = false;
    else if (a === "--optuna-max-trials") args.optunaMaxTrials = Number(argv[++i]);
    else throw new Error(`unknown argument ${a}; see the comment at the top of bench/importance.ts`);
  }
  return args;
}

const SPECS: ParamSpec[] = [
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1e-1, log: true, step: null },
  { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop", "adagrad"] },
  { name: "units", type: "INT", low: 8, high: 1024, log: true, step: 1 },
  { name: "layers", type: "INT", low: 1, high: 8, log: false, step: 1 },
  { name: "dropout", type: "FLOAT", low: 0, high: 0.5, log: false, step: 0.05 },
  { name: "momentum", type: "FLOAT", low: 0, high: 1, log: false, step: null },
  { name: "batch", type: "INT", low: 16, high: 256, log: false, step: 16 },
  { name: "weightDecay", type: "FLOAT", low: 1e-6, high: 1e-2, log: true, step: null },
];
const OPTIMIZER_COST: Record<string, number> = { adam: 0, sgd: 1, rmsprop: 0.3, adagrad: 0.6 };

/** Each term lies in [0, 1] and is weighted by half the one before: the true ranking is SPECS' order. */
function objective(p: Record<string, any>, rng: Rng): number {
  return (
    8 * ((Math.log10(p.lr) + 3) / 2) ** 2 +
    4 * OPTIMIZER_COST[p.optimizer] +
    2 * ((Math.log2(p.units) - 6) / 4) ** 2 +
    1 * ((p.layers - 3) / 5) ** 2 +
    0.5 * (p.dropout / 0.5) ** 2 +
    0.25 * (p.momentum - 0.9) ** 2 / 0.81 +
    0.1 * ((p.batch - 16) / 240) +
    0.05 * rng.normal()
  );
}

function randomStudy(n: number, seed: number): ImportanceInput {
  const rng = new Rng(seed);
  const trials = Array.from({ length: n }, () => {
    const params: Record<string, JsonValue> = {};
    for (const spec of SPECS) params[spec.name] = sampleUniform(spec, rng);
    return { params, value: objective(params, rng) };
  });
  return { specs: SPECS, trials, direction: "MINIMIZE" };
}

function timeIt(repeats: number, f: () => ParamImportance[]): { ms: number; result: ParamImportance[] } {
  let result = f(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    result = f();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: median(times), result };
}

/** Spearman's rho between two importance maps over SPECS (ties get their mean rank). */
function spearmanOfMaps(a: Record<string, number>, b: Record<string, number>): number {
  const names = SPECS.map((s) => s.name);
  return spearman(names.map((n) => a[n] ?? 0), names.map((n) => b[n] ?? 0));
}

const asMap = (r: ParamImportance[]) => Object.fromEntries(r.map((x) => [x.name, x.importance]));
const TRUTH = Object.fromEntries(SPECS.map((s, i) => [s.name, SPECS.length - i]));

interface OptunaAnswer {
  fanova: { median_ms: number; importances: Record<string, number> } | { error: string };
}

function runOptuna(input: ImportanceInput, repeats: number): OptunaAnswer | string {
  const python = "/usr/bin/python3";
  const script = [path.join(__dirname, "optuna_importance.py"), path.join(__dirname, "..", "..", "bench", "optuna_importance.py")].find((p) => existsSync(p));
  if (!existsSync(python) || !script) return "python3 or bench/optuna_importance.py not found";
  try {
    execFileSync(python, ["-c", "import optuna"], { stdio: "ignore" });
  } catch {
    return "Optuna is not importable by /usr/bin/python3";
  }
  const dir = mkdtempSync(path.join(tmpdir(), "importance-bench-"));
  try {
    const file = path.join(dir, "study.json");
    writeFileSync(file, JSON.stringify(input));
    const stdout = execFileSync("nice", ["-n", "10", python, script, "--input", file, "--repeats", String(repeats)], { maxBuffer: 1 << 24 });
    return JSON.parse(stdout.toString()) as OptunaAnswer;
  } catch (error) {
    return `Optuna run failed: ${(error as Error).message.split("\n")[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(3);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const rows: string[][] = [];
  const notes = new Set<string>();
  for (const n of args.sizes) {
    const input = randomStudy(n, n);
    const repeats = n <= 100 ? 15 : n <= 1000 ? 7 : 3;
    const ped = timeIt(repeats, () => pedAnovaImportances(input));
    const fanova = timeIt(repeats, () => fanovaImportances(input));
    rows.push([String(n), "PED-ANOVA", fmtMs(ped.ms), "-", "-", "-", spearmanOfMaps(asMap(ped.result), TRUTH).toFixed(2), ped.result[0].name]);
    let optunaMs = "-";
    let ratio = "-";
    let rho = "-";
    if (!args.optuna) notes.add("Optuna: skipped (--no-optuna)");
    else if (n > args.optunaMaxTrials) notes.add(`Optuna: skipped above ${args.optunaMaxTrials} trials (--optuna-max-trials)`);
    else {
      const answer = runOptuna(input, n <= 100 ? 3 : 1);
      if (typeof answer === "string") notes.add(answer);
      else if ("error" in answer.fanova) notes.add(`Optuna fANOVA: ${answer.fanova.error}`);
      else {
        optunaMs = fmtMs(answer.fanova.median_ms);
        ratio = `${(answer.fanova.median_ms / fanova.ms).toFixed(1)}x`;
        rho = spearmanOfMaps(asMap(fanova.result), answer.fanova.importances).toFixed(2);
        const optunaTruth = spearmanOfMaps(answer.fanova.importances, TRUTH).toFixed(2);
        notes.add("rho vs truth of Optuna's fANOVA: " + optunaTruth + ` (n=${n})`);
      }
    }
    rows.push([String(n), "fANOVA", fmtMs(fanova.ms), optunaMs, ratio, rho, spearmanOfMaps(asMap(fanova.result), TRUTH).toFixed(2), fanova.result[0].name]);
  }
  console.log(`Importance of ${SPECS.length} parameters on random-search trials (median ms; ratio = Optuna 3.1 time / ours)\n`);
  console.log(formatTable(["trials", "method", "graphtune ms", "Optuna 3.1 ms", "ratio", "rho vs Optuna", "rho vs truth", "first"], rows));
  for (const note of notes) console.log(note);
  console.log("PED-ANOVA: Optuna 3.1 has none (it came in 3.6); rho vs truth compares with the objective's term weights.");
}

main();
