import type { TestServer } from "../helpers/testServer";

/** A study of `trials` finished trials of a noisy quadratic, some pruned, each with a curve. */
export async function seedStudy(server: TestServer, name: string, trials: number, directions = ["MINIMIZE"]): Promise<string> {
  const { createStudy } = await server.ok(
    `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }`,
    {
      input: {
        name,
        directions,
        sampler: { type: "RANDOM", seed: 7 },
        searchSpace: [
          { name: "x", type: "FLOAT", low: -5, high: 5 },
          { name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true },
          { name: "layers", type: "INT", low: 1, high: 6 },
          { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd", "rmsprop"] },
        ],
      },
    },
  );
  const studyId: string = createStudy.id;
  for (let i = 0; i < trials; i++) {
    const { askTrial } = await server.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id params } }`, { s: studyId });
    const x = askTrial.params.x as number;
    const final = x * x + (askTrial.params.optimizer === "adam" ? 0 : 2) + 0.1 * (i % 5);
    const steps = 20;
    const points = Array.from({ length: steps }, (_, step) => ({ step, value: final + 10 * Math.exp(-step / 4) }));
    await server.ok(`mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }`, { t: askTrial.id, p: points });
    if (i % 4 === 3) {
      await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: PRUNED) { id } }`, { t: askTrial.id });
    } else {
      const values = directions.length === 1 ? [final] : [final, Math.abs(5 - x) + (askTrial.params.layers as number) / 3];
      await server.ok(`mutation($t: ID!, $v: [Float!]) { tellTrial(trialId: $t, state: COMPLETE, values: $v) { id } }`, { t: askTrial.id, v: values });
    }
  }
  return studyId;
}

/** A new RUNNING trial of the study. */
export async function askTrial(server: TestServer, studyId: string): Promise<{ id: string; number: number }> {
  const { askTrial } = await server.ok(`mutation($s: ID!) { askTrial(studyId: $s) { id number } }`, { s: studyId });
  return askTrial;
}

export async function report(server: TestServer, trialId: string, points: { step: number; value: number }[]): Promise<void> {
  await server.ok(`mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }`, { t: trialId, p: points });
}
