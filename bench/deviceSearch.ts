/**
 * The end-to-end digits search on an accelerator, for whoever has one (bench/gpu/check.sh runs it):
 * a server with an embedded PostgreSQL, one `graphtune worker --device <device>`, TPE + HYPERBAND.
 *
 * - `--trainer tfjs`: the tfjs-mlp trainer (tfjs-node-gpu when it is installed and sees the GPU);
 * - `--trainer torch`: the command trainer running examples/python/train_torch_digits.py, which
 *   uses CUDA when the worker's device gives it a GPU.
 *
 * Flags: --device gpu:0 (default), --trainer tfjs|torch (default tfjs), --trials N (default 60),
 * --epochs N (default 30), --workers N (default 1), --python PATH (default python3, for torch).
 */
import path from "node:path";
import { endToEndSearch } from "./executors/endToEndSearch";
import { benchDatabaseServer } from "./support/postgres";
import { startServerProcess } from "./support/serverProcess";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};

async function main(): Promise<void> {
  const device = option("device", "gpu:0");
  const trainer = option("trainer", "tfjs");
  const nTrials = Number(option("trials", "60"));
  const epochs = Number(option("epochs", "30"));
  const workers = Number(option("workers", "1"));
  const pg = await benchDatabaseServer();
  const server = await startServerProcess(await pg.createDatabase("bench_device"));
  try {
    console.log(`\n## Digits search on ${device}: ${trainer}, TPE + HYPERBAND, ${nTrials} trials, ${workers} worker(s)\n`);
    if (trainer === "torch") {
      const script = path.resolve(__dirname, "../../examples/python/train_torch_digits.py");
      await endToEndSearch({
        url: server.url,
        nTrials,
        epochs,
        workers,
        device,
        searchSpace: [
          { name: "learningRate", type: "FLOAT", low: 1e-4, high: 1e-1, log: true },
          { name: "batchSize", type: "CATEGORICAL", choices: [32, 64, 128, 256] },
          { name: "layers", type: "INT", low: 1, high: 3 },
          { name: "units", type: "INT", low: 32, high: 512, log: true },
          { name: "dropout", type: "FLOAT", low: 0, high: 0.5 },
        ],
        task: {
          trainer: "command",
          argv: [option("python", "python3"), script, "--lr", "{learningRate}", "--batch-size", "{batchSize}", "--layers", "{layers}",
            "--units", "{units}", "--dropout", "{dropout}", "--epochs", String(epochs)],
          objective: "val_accuracy",
        },
      });
    } else {
      await endToEndSearch({ url: server.url, nTrials, epochs, workers, device, task: { trainer: "tfjs-mlp", dataset: "digits", epochs, patience: 5 } });
    }
  } finally {
    await server.stop();
    await pg.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
