/**
 * A training script's loop against a running graphtune server (npm start), with nothing but
 * fetch: create a study, then ask -> report a curve -> tell, 30 times, and print the best trial.
 *
 *   npm run build && node dist/examples/quickstartFetch.js [http://127.0.0.1:4000/graphql]
 */
const url = process.argv[2] ?? "http://127.0.0.1:4000/graphql";

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code}: ${e.message}`).join("; "));
  return body.data as T;
}

/** A stand-in for training: a validation loss that depends on the hyperparameters and decays per epoch. */
function validationLoss(params: { learningRate: number; layers: number; optimizer: string }, epoch: number): number {
  const lrTerm = (Math.log10(params.learningRate) + 2.5) ** 2;
  const depthTerm = 0.1 * (params.layers - 3) ** 2;
  const optimizerTerm = params.optimizer === "adam" ? 0 : 0.3;
  return lrTerm + depthTerm + optimizerTerm + 2 / (epoch + 1);
}

async function main() {
  const { createStudy } = await gql(
    `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id name sampler { type } } }`,
    {
      input: {
        name: "quickstart",
        loadIfExists: true,
        searchSpace: [
          { name: "learningRate", type: "FLOAT", low: 1e-5, high: 1, log: true },
          { name: "layers", type: "INT", low: 1, high: 6 },
          { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
        ],
        pruner: { type: "MEDIAN" },
      },
    },
  );
  console.log(`study ${createStudy.name} (${createStudy.id}), sampler ${createStudy.sampler.type}`);
  for (let i = 0; i < 30; i++) {
    const { askTrial: trial } = await gql(`mutation($s: ID!) { askTrial(studyId: $s) { id number params } }`, { s: createStudy.id });
    let loss = Infinity;
    let pruned = false;
    for (let epoch = 0; epoch < 10 && !pruned; epoch++) {
      loss = validationLoss(trial.params, epoch);
      const { reportMetrics } = await gql(
        `mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune reason } }`,
        { t: trial.id, p: [{ step: epoch, value: loss }, { name: "epoch_time_s", step: epoch, value: 0.01 }] },
      );
      pruned = reportMetrics.shouldPrune;
    }
    await gql(`mutation($t: ID!, $state: TrialState!, $v: [Float!]) { tellTrial(trialId: $t, state: $state, values: $v) { state } }`, {
      t: trial.id,
      state: pruned ? "PRUNED" : "COMPLETE",
      v: pruned ? null : [loss],
    });
    console.log(`trial ${trial.number}: ${pruned ? "pruned" : `loss ${loss.toFixed(4)}`} ${JSON.stringify(trial.params)}`);
  }
  const { study } = await gql(`query($id: ID) { study(id: $id) { trialCount bestTrial { number values params } } }`, { id: createStudy.id });
  console.log(`best of ${study.trialCount} trials: #${study.bestTrial.number}, loss ${study.bestTrial.values[0].toFixed(4)}`, study.bestTrial.params);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
