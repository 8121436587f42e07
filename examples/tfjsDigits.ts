/**
 * An instrumented TensorFlow.js training script: your own model and training loop, tuned by a
 * graphtune server through the SDK. It trains a small MLP on the digits data set (data/), reports
 * the validation accuracy after every epoch (the Hyperband pruner stops poor trials), and returns
 * the best validation accuracy. Compare with `startSearch({ task: { trainer: "tfjs-mlp" } })`,
 * where the server's executors do all of this for you.
 *
 *   npm run build && node dist/examples/tfjsDigits.js [http://127.0.0.1:4000/graphql] [nTrials] [epochs]
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { projectRoot } from "../server/src/paths";
import { Graphtune, categoricalParam, floatParam, intParam, type FrozenTrial } from "../client-sdk/src";

interface Split {
  x: tf.Tensor2D;
  y: tf.Tensor2D;
}

/** digits.csv.gz: 64 pixels (0..16) and the label per line; a fixed 80/20 split of a shuffled copy. */
function loadDigits(): { train: Split; validation: Split } {
  const file = path.join(projectRoot(), "data", "digits.csv.gz");
  const rows = gunzipSync(readFileSync(file)).toString("utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  // A seeded shuffle (xorshift), so every trial sees the same split.
  let s = 12345;
  for (let i = rows.length - 1; i > 0; i--) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const j = Math.abs(s) % (i + 1);
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const cut = Math.floor(rows.length * 0.8);
  const split = (part: number[][]): Split => ({
    x: tf.tensor2d(part.map((r) => r.slice(0, 64).map((v) => v / 16))),
    y: tf.oneHot(tf.tensor1d(part.map((r) => r[64]), "int32"), 10).toFloat() as tf.Tensor2D,
  });
  return { train: split(rows.slice(0, cut)), validation: split(rows.slice(cut)) };
}

function buildModel(params: { learningRate: number; layers: number; units: number; optimizer: string }): tf.Sequential {
  const model = tf.sequential();
  for (let i = 0; i < params.layers; i++) {
    model.add(tf.layers.dense({ units: params.units, activation: "relu", inputShape: i === 0 ? [64] : undefined }));
  }
  model.add(tf.layers.dense({ units: 10, activation: "softmax", inputShape: params.layers === 0 ? [64] : undefined }));
  const optimizer = params.optimizer === "adam" ? tf.train.adam(params.learningRate) : tf.train.sgd(params.learningRate);
  model.compile({ optimizer, loss: "categoricalCrossentropy", metrics: ["accuracy"] });
  return model;
}

export interface TfjsDigitsOptions {
  nTrials?: number;
  epochs?: number;
  /** The study's name; default "tfjs-digits" (loaded again if it exists). */
  name?: string;
  print?: (line: string) => void;
}

export async function tfjsDigits(url: string, options: TfjsDigitsOptions = {}): Promise<FrozenTrial | null> {
  const print = options.print ?? console.log;
  const epochs = options.epochs ?? 10;
  await tf.setBackend("wasm").catch(() => tf.setBackend("cpu"));
  await tf.ready();
  const data = loadDigits();
  const gt = new Graphtune({ url });
  const study = await gt.createStudy({
    name: options.name ?? "tfjs-digits",
    loadIfExists: true,
    direction: "maximize",
    sampler: { type: "TPE", seed: 1 },
    pruner: { type: "HYPERBAND", options: { minResource: 1, maxResource: epochs } },
    searchSpace: [
      floatParam("learningRate", 1e-4, 3e-1, { log: true }),
      intParam("layers", 1, 3),
      intParam("units", 16, 256, { log: true }),
      categoricalParam("optimizer", ["adam", "sgd"]),
    ],
  });
  print(`study ${study.name} (${study.id}) on the ${tf.getBackend()} backend`);
  await study.optimize(
    async (trial) => {
      const params = {
        learningRate: await trial.suggestFloat("learningRate", 1e-4, 3e-1, { log: true }),
        layers: await trial.suggestInt("layers", 1, 3),
        units: await trial.suggestInt("units", 16, 256, { log: true }),
        optimizer: (await trial.suggestCategorical("optimizer", ["adam", "sgd"])) as string,
      };
      const model = buildModel(params);
      let best = 0;
      try {
        for (let epoch = 1; epoch <= epochs; epoch++) {
          const history = await model.fit(data.train.x, data.train.y, {
            epochs: 1,
            batchSize: 64,
            shuffle: true,
            validationData: [data.validation.x, data.validation.y],
            verbose: 0,
          });
          const accuracy = Number(history.history.val_acc[0]);
          best = Math.max(best, accuracy);
          await trial.log({ trainLoss: Number(history.history.loss[0]) }, epoch);
          await trial.report(accuracy, epoch); // throws TrialPruned when Hyperband stops this trial
        }
      } finally {
        model.dispose();
      }
      return best;
    },
    {
      nTrials: options.nTrials ?? 20,
      callbacks: [(_, t) => print(`trial ${t.number}: ${t.state} ${t.values?.[0]?.toFixed(4) ?? ""}`)],
    },
  );
  const bestTrial = await study.getBestTrial();
  print(`best validation accuracy ${bestTrial?.values?.[0]?.toFixed(4)} with ${JSON.stringify(bestTrial?.params)}`);
  await gt.close();
  return bestTrial;
}

if (require.main === module) {
  const [url = "http://127.0.0.1:4000/graphql", nTrials, epochs] = process.argv.slice(2);
  tfjsDigits(url, { nTrials: nTrials ? Number(nTrials) : undefined, epochs: epochs ? Number(epochs) : undefined }).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
