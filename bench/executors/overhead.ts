/**
 * The executor's own cost between trials: from one trial's trainer returning to the next trial's
 * trainer being entered, on a worker that never waits for work (a search with more trials queued),
 * plus the trainer's set-up before its first epoch. Baseline in the same run: the bare askTrial +
 * tellTrial round trips a client needs between two trials.
 */
import { performance } from "node:perf_hooks";
import { GraphtuneClient } from "../../client-sdk/src";
import { AskTrialDocument, CreateStudyDocument, StartSearchDocument, TellTrialDocument } from "../../client-sdk/src/generated/graphql";
import { Worker, type TrialTiming } from "../../server/src/executors/worker";
import { createLogger } from "../../server/src/logging";
import { fmt, median, quantile } from "../support/stats";

export interface OverheadResult {
  sampler: string;
  trials: number;
  gapMs: number[];
  setupMs: number[];
  baselineMs: number[];
}

/** Runs `trials` one-epoch trials of tfjs-mlp on digits with the given sampler on one in-process worker. */
export async function measureOverhead(url: string, sampler: string, trials: number): Promise<OverheadResult> {
  const client = new GraphtuneClient({ url });
  const name = `overhead-${sampler}-${Date.now()}`;
  const studyId = (await client.request(CreateStudyDocument, { input: { name, sampler: { type: sampler, seed: 1 } } })).createStudy.id;
  const search = (
    await client.request(StartSearchDocument, {
      input: { studyId, nTrials: trials, task: { trainer: "tfjs-mlp", dataset: "digits", epochs: 2, patience: 0 } },
    })
  ).startSearch;
  const timings: TrialTiming[] = [];
  const worker = new Worker({
    server: url,
    trainers: ["tfjs-mlp"],
    searchId: search.id,
    maxClaims: trials + 1,
    idleWaitMs: 20,
    logger: createLogger({}, "warn"),
    onTrialTiming: (t) => timings.push(t),
  });
  await worker.start();
  while (timings.length < trials) await new Promise((r) => setTimeout(r, 50));
  await worker.stop();
  const gapMs = timings.slice(1).map((t, i) => t.runEnteredAt - timings[i].runEndedAt);
  // Set-up before the first epoch: time to the first report, less one epoch (the gap between reports).
  const setupMs = timings
    .filter((t) => t.firstReportAt !== null && t.secondReportAt !== null)
    .map((t) => t.firstReportAt! - t.runEnteredAt - (t.secondReportAt! - t.firstReportAt!));

  // Baseline: ask + tell with nothing in between, on a study with the same sampler.
  const baseStudy = (await client.request(CreateStudyDocument, {
    input: { name: `${name}-baseline`, sampler: { type: sampler, seed: 1 }, searchSpace: (await studySpace(client, studyId)) as any },
  })).createStudy.id;
  const baselineMs: number[] = [];
  for (let i = 0; i < trials; i++) {
    const start = performance.now();
    const trial = (await client.request(AskTrialDocument, { studyId: baseStudy })).askTrial;
    await client.request(TellTrialDocument, { trialId: trial.id, state: "COMPLETE", values: [Math.random()] });
    baselineMs.push(performance.now() - start);
  }
  return { sampler, trials, gapMs, setupMs, baselineMs };
}

async function studySpace(client: GraphtuneClient, studyId: string): Promise<unknown[]> {
  const data = await client.request<{ study: { searchSpace: Record<string, unknown>[] } }, { id: string }>(
    `query($id: ID!) { study(id: $id) { searchSpace { name type low high log step choices } } }`,
    { id: studyId },
  );
  // The served spec shows an INT's implied step of 1 even on a log scale, where input refuses a step.
  return data.study.searchSpace.map((p) => Object.fromEntries(Object.entries(p).filter(([k, v]) => v !== null && !(k === "step" && p.log))));
}

export function overheadRow(r: OverheadResult): string[] {
  return [
    r.sampler,
    String(r.trials),
    fmt(median(r.gapMs)),
    fmt(quantile(r.gapMs, 0.9)),
    fmt(median(r.setupMs)),
    fmt(median(r.gapMs) + median(r.setupMs)),
    fmt(median(r.baselineMs)),
    fmt((median(r.gapMs) + median(r.setupMs)) / median(r.baselineMs), 2) + "x",
  ];
}
