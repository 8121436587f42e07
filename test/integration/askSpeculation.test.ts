import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { createServices, type Services } from "../../server/src/services";
import { createTestDatabase } from "../helpers/testServer";

// Two sets of services on one database behave as two server replicas: each guesses trial numbers
// for its own asks (AskSpeculation), and the database must keep every ask right anyway.
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;
let a: Services;
let b: Services;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openDatabase(database.url, 2)).destroy();
  db = new Database(database.url, 8);
  a = createServices(db);
  b = createServices(db);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const SPACE = [
  { name: "lr", type: "FLOAT", low: 1e-5, high: 1, log: true },
  { name: "optimizer", type: "CATEGORICAL", choices: ["adam", "sgd"] },
  { name: "momentum", type: "FLOAT", low: 0, high: 0.99, condition: { param: "optimizer", values: ["sgd"] } },
];
let seq = 0;
const newStudy = async (sampler = "RANDOM") =>
  (await a.studies.create({ name: `guess-${seq++}`, searchSpace: SPACE, sampler: { type: sampler, seed: 7 } })).id;

describe("asks that guess the trial number", () => {
  it("sample what a locking ask samples for the same number, in one statement", async () => {
    const guessed = await newStudy();
    const locked = await newStudy();
    const hits = a.trials.speculation.counts.hits;
    const viaGuess = [];
    for (let i = 0; i < 20; i++) viaGuess.push(await a.trials.ask(guessed));
    expect(a.trials.speculation.counts.hits - hits).toBe(19);
    // A fresh set of services has nothing to guess from: every ask takes the lock first.
    const viaLock = [];
    for (let i = 0; i < 20; i++) viaLock.push(await createServices(db).trials.ask(locked));
    expect(viaGuess.map((t) => t.number)).toEqual([...Array(20).keys()]);
    expect(viaGuess.map((t) => [t.number, t.params, t.distributions])).toEqual(viaLock.map((t) => [t.number, t.params, t.distributions]));
  });

  it("keep numbers gap-free and samples right when two replicas ask one study at once", async () => {
    const studyId = await newStudy();
    await a.trials.ask(studyId);
    await b.trials.ask(studyId); // a's guess of the next number is now stale
    const misses = a.trials.speculation.counts.misses + b.trials.speculation.counts.misses;
    const asked = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).trials.ask(studyId)));
    expect(a.trials.speculation.counts.misses + b.trials.speculation.counts.misses).toBeGreaterThan(misses);
    expect(asked.map((t) => t.number).sort((x, y) => x - y)).toEqual([...Array(40).keys()].map((i) => i + 2));
    const [{ next }] = await db.query<{ next: number }>(`SELECT next_trial_number AS next FROM studies WHERE id = $1`, [studyId]);
    expect(next).toBe(42);
    // Each trial holds the sample of its number, whichever replica and way started it.
    const reference = await newStudy();
    const lockOnly = createServices(db);
    const expected = [];
    for (let i = 0; i < 42; i++) expected.push(await lockOnly.trials.ask(reference));
    for (const t of asked) expect(t.params).toEqual(expected[t.number].params);
  });

  it("take an enqueued trial first and sample a changed space, whatever they guessed", async () => {
    const studyId = await newStudy();
    for (let i = 0; i < 3; i++) await a.trials.ask(studyId);
    const waiting = await b.trials.enqueue(studyId, { lr: 0.5, optimizer: "adam" });
    const taken = await a.trials.ask(studyId);
    expect(taken).toMatchObject({ id: waiting.id, number: 3, state: "RUNNING", params: { lr: 0.5, optimizer: "adam" } });
    expect((await a.trials.ask(studyId)).number).toBe(4);
    // The space changes under the guesses (startSearch may set it).
    await db.query(`UPDATE studies SET search_space = $2 WHERE id = $1`, [studyId, JSON.stringify([{ name: "units", type: "INT", low: 8, high: 16 }])]);
    const after = await a.trials.ask(studyId);
    expect(after.number).toBe(5);
    expect(Object.keys(after.params)).toEqual(["units"]);
    expect(Object.keys((await a.trials.ask(studyId)).params)).toEqual(["units"]);
  });

  it("never guess for samplers that learn from history", async () => {
    const studyId = await newStudy("TPE");
    const { hits, misses } = a.trials.speculation.counts;
    for (let i = 0; i < 5; i++) await a.trials.ask(studyId);
    expect(a.trials.speculation.counts).toEqual({ hits, misses });
  });
});
