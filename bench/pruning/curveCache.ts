/**
 * A disk cache of learning curves for the learning-curve bench, so that a rerun (a new pruner row,
 * fresh analysis) does not train again what an earlier run trained. Training is deterministic in
 * its seeds, so a trial's reports and outcome are a function of its task, parameters and number;
 * the cache replays them through the search's own `report`, and the search's pruner decides as it
 * would have on live training. A trial pruned earlier than a later search wants is trained again
 * for real (its prefix is not reported twice) and stored longer.
 *
 * The file is only valid for the code and data that produced it: its first line is a fingerprint
 * of the compiled trainer, the data sets and the tfjs version, and a file with another fingerprint
 * is started afresh.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Trainer, TrainerContext, TrialOutcome } from "../../server/src/executors/trainer";
import { projectRoot } from "../../server/src/paths";

interface Report {
  objective: number;
  metrics?: Record<string, number>;
}

/**
 * What one trial did: its reports (the tfjs trainer reports epochs 1, 2, 3, ..., so report i is
 * step i + 1), and its outcome when it ran to its own end (not pruned).
 */
interface RunEntry {
  reports: Report[];
  outcome: TrialOutcome | null;
}

type Line = { kind: "run"; key: string; entry: RunEntry } | { kind: "evaluate"; key: string; scores: Record<string, number> };

export class CurveCache implements Trainer {
  readonly name: string;
  private readonly runs = new Map<string, RunEntry>();
  private readonly evaluations = new Map<string, Record<string, number>>();
  /** Trials replayed from the file and trained for real, for the summary line. */
  readonly counts = { replayed: 0, trained: 0 };

  constructor(
    private readonly trainer: Trainer,
    private readonly file: string,
  ) {
    this.name = trainer.name;
    const fingerprint = trainerFingerprint(trainer.backend());
    const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    if (lines.length && lines[0] === JSON.stringify({ fingerprint })) {
      for (const text of lines.slice(1)) {
        const line = JSON.parse(text) as Line;
        if (line.kind === "evaluate") this.evaluations.set(line.key, line.scores);
        else if (!knowsMore(this.runs.get(line.key), line.entry)) this.runs.set(line.key, line.entry);
      }
    } else {
      if (lines.length) process.stderr.write(`  curve cache ${file}: made by other code or data, starting afresh\n`);
      writeFileSync(file, JSON.stringify({ fingerprint }) + "\n");
    }
  }

  backend(): string {
    return this.trainer.backend();
  }

  async run(ctx: TrainerContext): Promise<TrialOutcome> {
    const key = runKey(ctx);
    const cached = this.runs.get(key);
    if (cached) {
      for (let i = 0; i < cached.reports.length; i++) {
        const { objective, metrics } = cached.reports[i];
        const answer = await ctx.report(i + 1, objective, metrics);
        if (answer.shouldPrune) {
          this.counts.replayed++;
          return { state: "PRUNED", ...(answer.reason ? { reason: answer.reason } : {}) };
        }
      }
      if (cached.outcome) {
        this.counts.replayed++;
        return cached.outcome;
      }
    }
    // Not cached, or cached only up to a prune this search does not make: train, without reporting
    // the cached prefix again (the search has just seen it).
    const known = cached?.reports.length ?? 0;
    const reports: Report[] = [];
    const outcome = await this.trainer.run({
      ...ctx,
      report: async (step, objective, metrics) => {
        reports.push(metrics ? { objective, metrics } : { objective });
        return step <= known ? { shouldPrune: false, reason: null } : ctx.report(step, objective, metrics);
      },
    });
    this.counts.trained++;
    if (outcome.state !== "STOPPED") this.store({ kind: "run", key, entry: { reports, outcome: outcome.state === "PRUNED" ? null : outcome } });
    return outcome;
  }

  async evaluate(ctx: Omit<TrainerContext, "report">): Promise<Record<string, number>> {
    const key = runKey(ctx);
    const cached = this.evaluations.get(key);
    if (cached) return cached;
    const scores = await this.trainer.evaluate!(ctx);
    this.store({ kind: "evaluate", key, scores });
    return scores;
  }

  async close(): Promise<void> {
    await this.trainer.close?.();
  }

  private store(line: Line): void {
    if (line.kind === "run") this.runs.set(line.key, line.entry);
    else this.evaluations.set(line.key, line.scores);
    appendFileSync(this.file, JSON.stringify(line) + "\n");
  }
}

/** Whether `a` holds more of the trial than `b` (files appended by several runs may repeat a trial). */
function knowsMore(a: RunEntry | undefined, b: RunEntry): boolean {
  if (!a) return false;
  if (a.outcome) return true;
  return !b.outcome && a.reports.length >= b.reports.length;
}

/** Everything a deterministic training depends on. */
function runKey(ctx: Omit<TrainerContext, "report">): string {
  return JSON.stringify([ctx.task, ctx.params, ctx.trialNumber, ctx.directions, ctx.device]);
}

/** A hash of the compiled trainer, the data sets, the tfjs version and the backend in use. */
function trainerFingerprint(backend: string): string {
  const hash = createHash("sha256").update(backend);
  const dist = path.join(__dirname, "..", "..", "server", "src");
  const sources = [path.join(dist, "executors", "trainers", "tfjs"), path.join(dist, "executors", "tasks"), path.join(dist, "optimization", "random.js")];
  for (const source of sources) for (const file of filesUnder(source).filter((f) => f.endsWith(".js"))) hash.update(file.slice(dist.length)).update(readFileSync(file));
  for (const file of filesUnder(path.join(projectRoot(), "data"))) hash.update(path.basename(file)).update(readFileSync(file));
  const tfjs = path.join(projectRoot(), "node_modules", "@tensorflow", "tfjs-node", "package.json");
  if (existsSync(tfjs)) hash.update(String((JSON.parse(readFileSync(tfjs, "utf8")) as { version?: string }).version));
  return hash.digest("hex");
}

function filesUnder(target: string): string[] {
  if (!existsSync(target)) return [];
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .sort()
    .flatMap((name) => filesUnder(path.join(target, name)));
}
