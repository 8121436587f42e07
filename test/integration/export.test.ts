import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK, CREATE_STUDY, ENQUEUE, PRUNE, REPORT, TELL } from "../helpers/operations";
import { startTestServer, type TestServer } from "../helpers/testServer";

let server: TestServer;
let studyId: string;

const EXPORT = `query($id: ID!, $format: ExportFormat) { exportStudy(id: $id, format: $format) }`;
const IMPORT = `mutation($data: String!, $name: String) { importStudy(data: $data, name: $name) { id name tags note trialCount } }`;

async function exportJson(id: string): Promise<any> {
  return JSON.parse((await server.ok(EXPORT, { id, format: "JSON" })).exportStudy);
}

/** The parts two exports of the same study must agree on: everything but the name and when. */
function comparable(doc: any) {
  const { exportedAt: _at, study, ...rest } = doc;
  const { name: _name, ...studyRest } = study;
  return { ...rest, study: studyRest };
}

async function studyCount(): Promise<number> {
  return (await server.ok(`{ studies(first: 0) { totalCount } }`)).studies.totalCount;
}

beforeAll(async () => {
  server = await startTestServer();
  const { createStudy } = await server.ok(CREATE_STUDY, {
    input: {
      name: "export-source",
      directions: ["MINIMIZE"],
      sampler: { type: "TPE", seed: 11 },
      pruner: { type: "MEDIAN", options: { nWarmupSteps: 1 } },
      objectiveMetric: "val_loss",
      userAttrs: { dataset: "digits", nested: { a: 1 } },
      searchSpace: [
        { name: "lr", type: "FLOAT", low: 1e-4, high: 1, log: true },
        { name: "layers", type: "INT", low: 1, high: 4 },
        { name: "opt", type: "CATEGORICAL", choices: ["adam", "sgd"] },
      ],
    },
  });
  studyId = createStudy.id;
  await server.ok(`mutation($id: ID!) { setStudyTags(studyId: $id, tags: ["cnn", "baseline"]) { id } }`, { id: studyId });
  await server.ok(`mutation($id: ID!) { setStudyNote(studyId: $id, note: "first try, with \\"quotes\\", commas") { id } }`, { id: studyId });

  // Trials 0-2 COMPLETE with two series each, 3 PRUNED, 4 FAIL, 5 RUNNING, 6 WAITING.
  for (let i = 0; i < 6; i++) {
    const { askTrial } = await server.ok(ASK, { studyId });
    await server.ok(REPORT, {
      trialId: askTrial.id,
      points: [0, 1, 2].flatMap((step) => [
        { step, value: 1 / (step + 1) + i * 0.1 + 1e-13 * i },
        { name: "accuracy", step, value: 0.5 + step * 0.1 },
      ]),
    });
    if (i < 3) await server.ok(TELL, { trialId: askTrial.id, state: "COMPLETE", values: [0.1 * i + 0.123456789012345] });
    if (i === 3) await server.ok(PRUNE, { trialId: askTrial.id, reason: "a person pruned it" });
    if (i === 4) await server.ok(`mutation($t: ID!) { tellTrial(trialId: $t, state: FAIL, reason: "out of memory") { id } }`, { t: askTrial.id });
    if (i === 0) {
      await server.ok(`mutation($t: ID!) { setTrialTags(trialId: $t, tags: ["good"]) { id } setTrialNote(trialId: $t, note: "the best") { id } }`, { t: askTrial.id });
      await server.ok(`mutation($t: ID!) { setTrialUserAttrs(trialId: $t, attrs: { seed: 3, gpu: "a100" }) { id } }`, { t: askTrial.id });
    }
  }
  await server.ok(ENQUEUE, { studyId, params: { lr: 0.01, layers: 2, opt: "sgd" } });
});
afterAll(async () => {
  await server?.close();
});

describe("JSON export and import", () => {
  it("exports the study's settings, every trial and every metric point", async () => {
    const doc = await exportJson(studyId);
    expect(doc.format).toBe("graphtune-study");
    expect(doc.study).toMatchObject({
      name: "export-source",
      directions: ["MINIMIZE"],
      sampler: { type: "TPE", seed: 11 },
      pruner: { type: "MEDIAN" },
      objectiveMetric: "val_loss",
      userAttrs: { dataset: "digits", nested: { a: 1 } },
      tags: ["cnn", "baseline"],
      note: 'first try, with "quotes", commas',
      nextTrialNumber: 7,
    });
    expect(doc.trials.map((t: any) => t.state)).toEqual(["COMPLETE", "COMPLETE", "COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"]);
    expect(doc.trials[0]).toMatchObject({ tags: ["good"], note: "the best", userAttrs: { seed: 3, gpu: "a100" } });
    expect(doc.trials[3].pruneReason).toBe("a person pruned it");
    expect(doc.trials[4].failReason).toBe("out of memory");
    expect(doc.trials[6].params).toEqual({ lr: 0.01, layers: 2, opt: "sgd" });
    const series = doc.trials[1].metrics;
    expect(series.map((s: any) => s.name)).toEqual(["accuracy", "val_loss"]);
    expect(series[1].steps).toEqual([0, 1, 2]);
    expect(series[1].values[0]).toBe(1 + 0.1 + 1e-13);
    expect(series[1].timeBase).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(doc.trials[0].completedAt).toMatch(/\.\d{6}Z$/);
  });

  it("round-trips: importing an export and exporting again gives the same document, apart from the name", async () => {
    const first = await exportJson(studyId);
    const { importStudy } = await server.ok(IMPORT, { data: JSON.stringify(first), name: "export-copy" });
    expect(importStudy).toMatchObject({ name: "export-copy", tags: ["cnn", "baseline"], trialCount: 7 });
    expect(importStudy.id).not.toBe(studyId);
    const second = await exportJson(importStudy.id);
    expect(second.study.name).toBe("export-copy");
    expect(comparable(second)).toEqual(comparable(first));
    // Stored as the original is: the running trial's points as rows, finished trials' as arrays.
    const layout = (id: string) =>
      server.db.query(
        `SELECT t.number,
           (SELECT count(*)::int FROM metric_series ms JOIN metric_points p ON p.series_id = ms.id WHERE ms.trial_id = t.id) AS rows,
           (SELECT count(*)::int FROM metric_series ms JOIN metric_archive a ON a.series_id = ms.id WHERE ms.trial_id = t.id) AS arrays
         FROM trials t WHERE t.study_id = $1 AND t.number < 6 ORDER BY t.number`,
        [id],
      );
    const arraysOnly = { rows: 0, arrays: 2 };
    expect(await layout(studyId)).toEqual([0, 1, 2, 3, 4].map((number) => ({ number, ...arraysOnly })).concat([{ number: 5, rows: 6, arrays: 0 }]));
    expect(await layout(importStudy.id)).toEqual(await layout(studyId));
  });

  it("gives an imported study a working future: the next ask takes its enqueued trial, then numbering goes on", async () => {
    const data = (await server.ok(EXPORT, { id: studyId })).exportStudy;
    const { importStudy } = await server.ok(IMPORT, { data, name: "export-continued" });
    const a = (await server.ok(ASK, { studyId: importStudy.id })).askTrial;
    expect(a).toMatchObject({ number: 6, params: { lr: 0.01, layers: 2, opt: "sgd" } });
    const b = (await server.ok(ASK, { studyId: importStudy.id })).askTrial;
    expect(b.number).toBe(7);
    const { study } = await server.ok(`query($id: ID!) { study(id: $id) { bestTrial { number values } } }`, { id: importStudy.id });
    expect(study.bestTrial.number).toBe(0);
  });

  it("keeps which trial retried which failed one", async () => {
    const doc = await exportJson(studyId);
    doc.trials[5].retryOf = 4;
    const { importStudy } = await server.ok(IMPORT, { data: JSON.stringify(doc), name: "export-retry" });
    const again = await exportJson(importStudy.id);
    expect(again.trials.map((t: any) => t.retryOf)).toEqual([null, null, null, null, null, 4, null]);
  });

  it("imports under the exported name by default, and refuses a name in use with CONFLICT", async () => {
    const data = (await server.ok(EXPORT, { id: studyId })).exportStudy;
    const body = await server.gql(IMPORT, { data });
    expect(body.errors?.[0].extensions).toMatchObject({ code: "CONFLICT", field: "name" });
    expect(body.errors?.[0].message).toMatch(/already exists/);
  });

  it("refuses bad input with BAD_USER_INPUT naming the place, and writes nothing", async () => {
    const good = await exportJson(studyId);
    // Each case returns the text to send, a whole document, or nothing after changing `doc`.
    const cases: Array<[string, (doc: any) => string | object | void, string]> = [
      ["not JSON", () => "{ nope", "data"],
      ["a CSV export", () => "number,value\n0,1\n", "data"],
      ["another format", (d) => ({ ...d, format: "optuna" }), "data.format"],
      ["a value that is not a number", (d) => { d.trials[2].values = ["x"]; }, "data.trials[2].values[0]"],
      ["a COMPLETE trial without values", (d) => { d.trials[1].values = null; }, "data.trials[1].values"],
      ["a gap in trial numbers", (d) => { d.trials.splice(2, 1); }, "data.trials[2].number"],
      ["an unknown state", (d) => { d.trials[0].state = "DONE"; }, "data.trials[0].state"],
      ["a step going backwards", (d) => { d.trials[2].metrics[0].steps = [0, 2, 1]; }, "data.trials[2].metrics[0].steps[2]"],
      ["a series shorter in values", (d) => { d.trials[2].metrics[1].values.pop(); }, "data.trials[2].metrics[1].values"],
      ["a bad time", (d) => { d.trials[2].createdAt = "yesterday"; }, "data.trials[2].createdAt"],
      ["a bad search space", (d) => { d.study.searchSpace[0].low = 5; }, "data.study.searchSpace[0].low"],
      ["an unknown sampler", (d) => { d.study.sampler.type = "GUESS"; }, "data.study.sampler.type"],
      ["an empty tag", (d) => { d.trials[0].tags = [" "]; }, "data.trials[0].tags[0]"],
    ];
    const before = await studyCount();
    for (const [what, change, field] of cases) {
      const doc = structuredClone(good);
      const changed = change(doc);
      const data = typeof changed === "string" ? changed : JSON.stringify(changed ?? doc);
      const body = await server.gql(IMPORT, { data, name: `bad-${what}` });
      expect(body.errors?.[0].extensions, what).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    expect(await studyCount()).toBe(before);
  });

  it("rolls back a failure in the middle of writing: no study, and the name stays free", async () => {
    const doc = await exportJson(studyId);
    // PostgreSQL refuses a NUL character in JSON text; the study row is written by then.
    doc.trials[5].params = { lr: "a\u0000b" };
    const before = await studyCount();
    const body = await server.gql(IMPORT, { data: JSON.stringify(doc), name: "half-written" });
    expect(body.errors).toBeDefined();
    expect(await studyCount()).toBe(before);
    expect((await server.ok(`{ study(name: "half-written") { id } }`)).study).toBeNull();
  });

  it("answers NOT_FOUND for an unknown study", async () => {
    const body = await server.gql(EXPORT, { id: "987654" });
    expect(body.errors?.[0].extensions?.code).toBe("NOT_FOUND");
  });
});

describe("CSV export", () => {
  it("writes one row per trial in the style of Optuna's trials_dataframe", async () => {
    const csv: string = (await server.ok(EXPORT, { id: studyId, format: "CSV" })).exportStudy;
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(1 + 7);
    const header = lines[0].split(",");
    expect(header.slice(0, 5)).toEqual(["number", "value", "datetime_start", "datetime_complete", "duration"]);
    expect(header).toEqual(expect.arrayContaining(["params_lr", "params_layers", "params_opt", "user_attrs_seed", "user_attrs_gpu", "state", "tags", "note"]));
    const row0 = lines[1];
    expect(row0.startsWith("0,0.123456789012345,")).toBe(true);
    expect(row0).toContain(',"[""good""]",the best,');
    const waiting = lines[7].split(",");
    expect(waiting[0]).toBe("6");
    expect(waiting[header.indexOf("state")]).toBe("WAITING");
    expect(waiting[header.indexOf("params_opt")]).toBe("sgd");
  });

  it("has one values_<i> column per objective for a multi-objective study", async () => {
    const id = (await server.ok(CREATE_STUDY, { input: { name: "csv-multi", directions: ["MINIMIZE", "MAXIMIZE"] } })).createStudy.id;
    const { askTrial } = await server.ok(ASK, { studyId: id });
    await server.ok(TELL, { trialId: askTrial.id, state: "COMPLETE", values: [1.5, 2] });
    const [header, row] = (await server.ok(EXPORT, { id, format: "CSV" })).exportStudy.split("\r\n");
    expect(header.split(",").slice(0, 3)).toEqual(["number", "values_0", "values_1"]);
    expect(row.split(",").slice(0, 3)).toEqual(["0", "1.5", "2"]);
  });

  it("is refused by importStudy, which reads JSON exports only", async () => {
    const csv = (await server.ok(EXPORT, { id: studyId, format: "CSV" })).exportStudy;
    const body = await server.gql(IMPORT, { data: csv, name: "from-csv" });
    expect(body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });
});
