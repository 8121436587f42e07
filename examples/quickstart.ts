/**
 * A training script with the SDK against a running graphtune server (npm start): a TPE study over
 * a declared space, a simulated training curve reported per epoch (the median rule prunes poor
 * ones), 30 trials, two at a time; then the best trial. A plain-fetch version of the same loop is
 * quickstartFetch.ts.
 *
 *   npm run build && node dist/examples/quickstart.js [http://127.0.0.1:4000/graphql]
 */
import { Graphtune, categoricalParam, floatParam, intParam, type FrozenTrial } from "../client-sdk/src";

/** A stand-in for training: a validation loss that depends on the hyperparameters and decays per epoch. */
export function validationLoss(params: { learningRate: number; layers: number; optimizer: string }, epoch: number): number {
  const lrTerm = (Math.log10(params.learningRate) + 2.5) ** 2;
  const depthTerm = 0.1 * (params.layers - 3) ** 2;
  const optimizerTerm = params.optimizer === "adam" ? 0 : 0.3;
  return lrTerm + depthTerm + optimizerTerm + 2 / (epoch + 1);
}

export interface QuickstartOptions {
  /** The study's name; default "quickstart-sdk" (loaded again if it exists). */
  name?: string;
  /** Trials to run; default 30. */
  nTrials?: number;
  /** Where to print; default console.log. */
  print?: (line: string) => void;
}

export async function quickstart(url: string, options: QuickstartOptions = {}): Promise<FrozenTrial | null> {
  const print = options.print ?? console.log;
  const gt = new Graphtune({ url });
  const study = await gt.createStudy({
    name: options.name ?? "quickstart-sdk",
    loadIfExists: true,
    direction: "minimize",
    sampler: { type: "TPE", seed: 7 },
    pruner: { type: "MEDIAN" },
    // Declared, so each trial is one askTrial and suggest* below answer locally.
    searchSpace: [
      floatParam("learningRate", 1e-5, 1, { log: true }),
      intParam("layers", 1, 6),
      categoricalParam("optimizer", ["adam", "sgd", "rmsprop"]),
    ],
  });
  print(`study ${study.name} (${study.id}), sampler ${study.sampler.type}, pruner ${study.pruner.type}`);

  await study.optimize(
    async (trial) => {
      const params = {
        learningRate: await trial.suggestFloat("learningRate", 1e-5, 1, { log: true }),
        layers: await trial.suggestInt("layers", 1, 6),
        optimizer: await trial.suggestCategorical("optimizer", ["adam", "sgd", "rmsprop"]),
      };
      let loss = Infinity;
      for (let epoch = 0; epoch < 10; epoch++) {
        loss = validationLoss(params, epoch);
        await trial.log({ epoch_time_s: 0.01 }, epoch);
        await trial.report(loss, epoch); // throws TrialPruned when the median rule stops this trial
      }
      return loss;
    },
    {
      nTrials: options.nTrials ?? 30,
      concurrency: 2,
      callbacks: [(_, t) => print(`trial ${t.number}: ${t.state === "COMPLETE" ? `loss ${t.values![0].toFixed(4)}` : t.state.toLowerCase()}`)],
    },
  );
  const best = study.bestTrial;
  if (best) print(`best of ${study.trialCount} trials: #${best.number}, loss ${best.values![0].toFixed(4)} ${JSON.stringify(best.params)}`);
  return best;
}

if (process.argv[1]?.endsWith("quickstart.js")) {
  quickstart(process.argv[2] ?? "http://127.0.0.1:4000/graphql").catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
