/**
 * Training speed of the tfjs-mlp trainer: epochs per second on digits (MLP 64-128-128-10, ReLU,
 * adam at 1e-3) at batch 32 and 128, with the best tfjs backend here, beside tfjs's own
 * `model.fit` on the same backend (the baseline) and the same network trained by PyTorch on the
 * CPU (bench/torch_mlp.py, when /usr/bin/python3 imports torch). Every contender shuffles, takes
 * one optimizer step per batch and scores the validation part after each epoch. The contenders'
 * runs are interleaved (PyTorch one process a run, timed inside it, after its own warm-up run) so
 * that a noisy machine hits them alike. Prints medians over several runs and the ratios.
 *
 *   npm run bench:training -- [--runs 5] [--epochs 3] [--batch-sizes 32,128] [--torch-threads 1] [--no-torch] [--device cpu|gpu:N]
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { parseDevice, type Device, type TrainerContext } from "../../server/src/executors/trainer";
import { createTfjsMlpTrainer } from "../../server/src/executors/trainers/tfjs";
import { loadTfjs, type Tf } from "../../server/src/executors/trainers/tfjs/backend";
import { loadDataset } from "../../server/src/executors/trainers/tfjs/data/loadDataset";
import { splitDataset, type SplitDataset } from "../../server/src/executors/trainers/tfjs/data/splitDataset";
import { projectRoot } from "../../server/src/paths";
import { fmt, formatTable, median } from "../support/stats";

export interface TrainingSpeedOptions {
  /** Timed runs per contender and batch size (after one warm-up run). Default 5. */
  runs?: number;
  /** Epochs per run. Default 3. */
  epochs?: number;
  /** Default [32, 128]. */
  batchSizes?: number[];
  /** Run the PyTorch peer when /usr/bin/python3 imports torch. Default true. */
  torch?: boolean;
  /** PyTorch's intra-op threads; 1 matches tfjs's wasm backend, which runs on one thread in Node. Default 1. */
  torchThreads?: number;
  /** Default cpu. */
  device?: Device;
}

export interface TrainingSpeedRow {
  batchSize: number;
  /** Median epochs per second. */
  loop: number;
  modelFit: number;
  /** null when PyTorch was skipped or missing. */
  torch: number | null;
}

export interface TrainingSpeedResult {
  backend: string;
  rows: TrainingSpeedRow[];
}

const UNITS = 128;
const LAYERS = 2;
const LEARNING_RATE = 1e-3;

export async function runTrainingSpeed(options: TrainingSpeedOptions = {}): Promise<TrainingSpeedResult> {
  const runs = options.runs ?? 5;
  const epochs = options.epochs ?? 3;
  const batchSizes = options.batchSizes ?? [32, 128];
  const device = options.device ?? { kind: "cpu" };
  const { tf, backend } = await loadTfjs(device);
  const trainer = await createTfjsMlpTrainer({ device });
  const split = splitDataset(loadDataset("digits"), { splitSeed: 0 });

  const torch = options.torch === false ? null : await torchPeer(split, options.torchThreads ?? 1);
  const rows: TrainingSpeedRow[] = [];
  try {
    for (const batchSize of batchSizes) {
      const loopRun = async () => {
        const ctx: TrainerContext = {
          trialId: "bench",
          trialNumber: 0,
          params: { learningRate: LEARNING_RATE, batchSize, layers: LAYERS, units: UNITS, optimizer: "adam" },
          task: { dataset: "digits", epochs, patience: 0 },
          directions: ["MAXIMIZE"],
          device,
          signal: new AbortController().signal,
          report: async () => ({ shouldPrune: false, reason: null }),
          server: { url: "" },
          log: () => undefined,
        };
        const start = performance.now();
        const outcome = await trainer.run(ctx);
        if (outcome.state !== "COMPLETE") throw new Error(`the benchmark trial ended ${JSON.stringify(outcome)}`);
        return epochs / ((performance.now() - start) / 1000);
      };
      const fitRun = () => modelFitRun(tf, split, batchSize, epochs);
      await loopRun();
      await fitRun();
      const loop: number[] = [];
      const fit: number[] = [];
      const peer: number[] = [];
      // Interleaved, so that a noisy stretch of the machine hits every contender alike.
      for (let r = 0; r < runs; r++) {
        loop.push(await loopRun());
        fit.push(await fitRun());
        if (torch) peer.push(await torch.run(batchSize, epochs));
      }
      rows.push({ batchSize, loop: median(loop), modelFit: median(fit), torch: torch ? median(peer) : null });
    }
  } finally {
    await trainer.close?.();
    torch?.close();
  }

  const torchLabel = `PyTorch CPU, ${options.torchThreads ?? 1} thread(s)`;
  console.log(`\ntfjs-mlp training speed: digits (${split.train.rows.length} training rows), MLP 64-128-128-10, adam; backend ${backend}; epochs/s, median of ${runs} runs of ${epochs} epochs`);
  console.log(
    formatTable(
      ["batch", "graphtune loop", "tfjs model.fit", torchLabel, "loop / model.fit", "loop / PyTorch"],
      rows.map((r) => [
        String(r.batchSize),
        fmt(r.loop, 2),
        fmt(r.modelFit, 2),
        r.torch === null ? "-" : fmt(r.torch, 2),
        `${fmt(r.loop / r.modelFit, 2)}x`,
        r.torch === null ? "-" : `${fmt(r.loop / r.torch, 2)}x`,
      ]),
    ),
  );
  if (!torch && options.torch !== false) {
    console.log("PyTorch column skipped: /usr/bin/python3 cannot import torch (apt-get install -y python3-torch).");
  }
  return { backend, rows };
}

/** tfjs's Keras-style path on the same data, network, optimizer and backend. */
async function modelFitRun(tf: Tf, split: SplitDataset, batchSize: number, epochs: number): Promise<number> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [split.features], units: UNITS, activation: "relu" }),
      tf.layers.dense({ units: UNITS, activation: "relu" }),
      tf.layers.dense({ units: split.classes, activation: "softmax" }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  const tensors = tf.tidy(() => {
    const oneHot = (y: Float32Array) => tf.oneHot(tf.tensor1d(Int32Array.from(y), "int32"), split.classes).toFloat();
    return [
      tf.tensor2d(split.train.x, [split.train.rows.length, split.features]),
      oneHot(split.train.y),
      tf.tensor2d(split.validation.x, [split.validation.rows.length, split.features]),
      oneHot(split.validation.y),
    ];
  });
  const [x, y, vx, vy] = tensors;
  const start = performance.now();
  await model.fit(x, y, { epochs, batchSize, shuffle: true, validationData: [vx, vy], verbose: 0 });
  const rate = epochs / ((performance.now() - start) / 1000);
  tf.dispose(tensors);
  model.dispose();
  return rate;
}

/**
 * bench/torch_mlp.py on the same split, one timed run per call (after its own warm-up run), or
 * null when /usr/bin/python3 cannot import torch.
 */
async function torchPeer(split: SplitDataset, threads: number): Promise<{ run(batchSize: number, epochs: number): Promise<number>; close(): void } | null> {
  const python = "/usr/bin/python3";
  const exec = promisify(execFile);
  try {
    await exec(python, ["-c", "import torch"]);
  } catch {
    return null;
  }
  const script = path.join(projectRoot(), "bench", "torch_mlp.py");
  if (!existsSync(script)) throw new Error(`${script} is missing`);
  const dir = mkdtempSync(path.join(os.tmpdir(), "graphtune-torch-"));
  const write = (name: string, a: Float32Array) => writeFileSync(path.join(dir, name), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  write("train_x", split.train.x);
  write("train_y", split.train.y);
  write("val_x", split.validation.x);
  write("val_y", split.validation.y);
  return {
    async run(batchSize, epochs) {
      const { stdout } = await exec(python, [
        script,
        "--data", dir,
        "--train-rows", String(split.train.rows.length),
        "--val-rows", String(split.validation.rows.length),
        "--features", String(split.features),
        "--classes", String(split.classes),
        "--batch-sizes", String(batchSize),
        "--runs", "1",
        "--epochs", String(epochs),
        "--threads", String(threads),
      ]);
      return (JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, number[]>)[String(batchSize)][0];
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function parseArgs(argv: string[]): TrainingSpeedOptions {
  const options: TrainingSpeedOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case "--runs":
        options.runs = Number(value());
        break;
      case "--epochs":
        options.epochs = Number(value());
        break;
      case "--batch-sizes":
        options.batchSizes = value().split(",").map(Number);
        break;
      case "--torch-threads":
        options.torchThreads = Number(value());
        break;
      case "--no-torch":
        options.torch = false;
        break;
      case "--device":
        options.device = parseDevice(value());
        break;
      default:
        throw new Error(`unknown option ${argv[i]}; see the comment at the top of bench/executors/trainingSpeed.ts`);
    }
  }
  return options;
}

if (require.main === module) {
  runTrainingSpeed(parseArgs(process.argv.slice(2))).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
