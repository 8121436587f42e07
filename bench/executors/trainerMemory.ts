/**
 * Memory of a worker that runs many trials: the tfjs-mlp trainer in this process runs 1, 10 and
 * 100 short trials (2 epochs on wine, random hyperparameters over every optimizer) with a context
 * that records reports in memory. Before them, one trial fills the data set cache and a warm-up
 * of 50 more lets V8 grow its young generation to its working size (about 18 MB of reserved heap
 * in the first few dozen trials, with the used heap flat), so that the counts measure what trials
 * leave behind. Prints resident memory, the JS heap (used and reserved), the wasm heap and
 * tf.memory().numTensors at each point; the tensors must be back at the baseline after every
 * trial and the memory must stay flat, and the output says plainly when either does not hold.
 *
 *   node dist/bench/executors/trainerMemory.js [--trials 1,10,100] [--epochs 2] [--warm-up 50]
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { JsonValue } from "../../server/src/optimization";
import { Rng } from "../../server/src/optimization";
import type { TrainerContext } from "../../server/src/executors/trainer";
import { createTfjsMlpTrainer } from "../../server/src/executors/trainers/tfjs";
import { loadTfjs } from "../../server/src/executors/trainers/tfjs/backend";
import { OPTIMIZER_NAMES } from "../../server/src/executors/trainers/tfjs/hyperparameters";
import { fmt, formatTable } from "../support/stats";

export interface TrainerMemoryOptions {
  /** Trial counts after which memory is measured (cumulative). Default [1, 10, 100]. */
  counts?: number[];
  /** Epochs per trial. Default 2. */
  epochs?: number;
  /** Trials run before the first count, after the one that fills the cache. Default 50. */
  warmUp?: number;
  /** Growth of resident memory from the first count to the last that still counts as flat, in MB. Default 8. */
  flatMb?: number;
}

export interface TrainerMemoryRow {
  /** Trials run after the warm-up (the label of a row before it). */
  trials: number | string;
  rssMb: number;
  heapMb: number;
  /** The heap V8 has reserved (heapTotal). */
  heapReservedMb: number;
  /** The wasm backend's heap (it grows and is never returned), null on other backends. */
  wasmHeapMb: number | null;
  numTensors: number;
}

export interface TrainerMemoryResult {
  backend: string;
  baselineTensors: number;
  rows: TrainerMemoryRow[];
  /** Trials after which tf.memory().numTensors was not back at the baseline. */
  leakyTrials: number;
  flat: boolean;
}

const MB = 1024 * 1024;

export async function runTrainerMemory(options: TrainerMemoryOptions = {}): Promise<TrainerMemoryResult> {
  const counts = options.counts ?? [1, 10, 100];
  const epochs = options.epochs ?? 2;
  const warmUp = options.warmUp ?? 50;
  const flatMb = options.flatMb ?? 8;
  const gc = exposeGc();
  const { tf, backend } = await loadTfjs({ kind: "cpu" });
  const trainer = await createTfjsMlpTrainer({ device: { kind: "cpu" } });
  const rng = new Rng(42);
  let trialNumber = 0;
  const states: Record<string, number> = {};
  const runTrial = async () => {
    const ctx = recordingContext(trialNumber++, randomParams(rng), { dataset: "wine", epochs, patience: 0 });
    const outcome = await trainer.run(ctx);
    states[outcome.state] = (states[outcome.state] ?? 0) + 1;
  };

  await runTrial();
  const baselineTensors = tf.memory().numTensors;
  let leakyTrials = 0;
  const checkedTrial = async () => {
    await runTrial();
    if (tf.memory().numTensors !== baselineTensors) leakyTrials++;
  };
  const wasmHeap = () => {
    const heap = (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }).wasm?.HEAPU8;
    return heap ? heap.byteLength / MB : null;
  };
  const measure = (trials: number | string): TrainerMemoryRow => {
    gc?.();
    const usage = process.memoryUsage();
    return {
      trials,
      rssMb: usage.rss / MB,
      heapMb: usage.heapUsed / MB,
      heapReservedMb: usage.heapTotal / MB,
      wasmHeapMb: wasmHeap(),
      numTensors: tf.memory().numTensors,
    };
  };
  const before = [measure("cache filled (1 trial)")];
  for (let i = 0; i < warmUp; i++) await checkedTrial();
  if (warmUp > 0) before.push(measure(`after ${warmUp} warm-up trials`));

  let done = 0;
  const rows: TrainerMemoryRow[] = [];
  for (const count of counts) {
    while (done < count) {
      await checkedTrial();
      done++;
    }
    rows.push(measure(done));
  }
  await trainer.close?.();

  const first = rows[0];
  const last = rows[rows.length - 1];
  const flat = last.rssMb - first.rssMb <= flatMb;
  console.log(
    `\ntfjs-mlp trainer memory: backend ${backend}; wine, ${epochs} epochs a trial, random hyperparameters; ` +
      `baseline ${baselineTensors} tensors (the cached data set)${gc ? "; GC forced before each reading" : "; no forced GC"}`,
  );
  console.log(
    formatTable(
      ["trials", "RSS MB", "JS heap used MB", "JS heap reserved MB", "wasm heap MB", "numTensors"],
      [...before, ...rows].map((r) => [
        String(r.trials),
        fmt(r.rssMb),
        fmt(r.heapMb),
        fmt(r.heapReservedMb),
        r.wasmHeapMb === null ? "-" : fmt(r.wasmHeapMb),
        String(r.numTensors),
      ]),
    ),
  );
  console.log(`outcomes: ${Object.entries(states).map(([s, n]) => `${n} ${s}`).join(", ")}`);
  console.log(
    leakyTrials === 0
      ? `tensors: back at the baseline (${baselineTensors}) after every one of ${done + warmUp} trials.`
      : `tensors: NOT back at the baseline after ${leakyTrials} of ${done + warmUp} trials: the trainer leaks tensors.`,
  );
  console.log(
    flat
      ? `memory: flat (RSS ${fmt(first.rssMb)} MB after ${first.trials} trials, ${fmt(last.rssMb)} MB after ${last.trials}; limit +${flatMb} MB).`
      : `memory: NOT flat: RSS grew from ${fmt(first.rssMb)} MB after ${first.trials} trials to ${fmt(last.rssMb)} MB after ${last.trials} (limit +${flatMb} MB).`,
  );
  return { backend, baselineTensors, rows, leakyTrials, flat };
}

/** Hyperparameters as a random search would draw them from the default space, over every optimizer. */
function randomParams(rng: Rng): Record<string, JsonValue> {
  const logUniform = (low: number, high: number) => Math.exp(rng.uniform(Math.log(low), Math.log(high)));
  return {
    learningRate: logUniform(1e-4, 1e-1),
    batchSize: [16, 32, 64][rng.int(0, 2)],
    layers: rng.int(1, 3),
    units: Math.round(logUniform(16, 256)),
    dropout: rng.uniform(0, 0.5),
    activation: ["relu", "tanh", "elu"][rng.int(0, 2)],
    optimizer: OPTIMIZER_NAMES[rng.int(0, OPTIMIZER_NAMES.length - 1)],
    weightDecay: logUniform(1e-6, 1e-2),
  };
}

/** The worker's side of the interface: reports kept in memory, never prune. */
function recordingContext(trialNumber: number, params: Record<string, JsonValue>, task: Record<string, JsonValue>): TrainerContext {
  const reports: { step: number; objective: number }[] = [];
  return {
    trialId: `bench-${trialNumber}`,
    trialNumber,
    params,
    task,
    directions: ["MAXIMIZE"],
    device: { kind: "cpu" },
    signal: new AbortController().signal,
    report: async (step, objective) => {
      reports.push({ step, objective });
      return { shouldPrune: false, reason: null };
    },
    server: { url: "" },
    log: () => undefined,
  };
}

/** global.gc without restarting node with --expose-gc, so that RSS readings are not GC timing. */
function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString("--expose_gc");
    return runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}

function parseArgs(argv: string[]): TrainerMemoryOptions {
  const options: TrainerMemoryOptions = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === "--trials") options.counts = argv[i + 1].split(",").map(Number);
    else if (argv[i] === "--warm-up") options.warmUp = Number(argv[i + 1]);
    else if (argv[i] === "--epochs") options.epochs = Number(argv[i + 1]);
    else throw new Error(`unknown option ${argv[i]}; see the comment at the top of bench/executors/trainerMemory.ts`);
  }
  return options;
}

if (require.main === module) {
  runTrainerMemory(parseArgs(process.argv.slice(2))).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
