import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, inject, it } from "vitest";
import { openDatabase } from "../../server/src/db/dataSource";
import { generateMigration } from "../../server/src/db/migrationGenerator";
import { createTestDatabase } from "../helpers/testServer";

it("migrates a fresh database to exactly what the entities describe", async () => {
  const database = await createTestDatabase();
  try {
    const dataSource = await openDatabase(database.url, 2);
    const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
    await dataSource.destroy();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  } finally {
    await database.drop();
  }
});

it("migration:generate writes nothing when entities and migrations agree", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "graphtune-migrations-"));
  await writeFile(path.join(dir, "index.ts"), "");
  expect(await generateMigration(inject("databaseServerUrl"), "Nothing", dir)).toBeNull();
  expect(await readdir(dir)).toEqual(["index.ts"]);
});

it("archives the points of trials that finished before the metric archive, and undoing it brings the rows back", async () => {
  const database = await createTestDatabase();
  try {
    const dataSource = await openDatabase(database.url, 2);
    const q = (text: string, params?: unknown[]) => dataSource.query(text, params);
    const [{ id: projectId }] = await q(`INSERT INTO projects (name) VALUES ('old') RETURNING id`);
    const [{ id: studyId }] = await q(
      `INSERT INTO studies (project_id, name, directions, search_space, sampler, pruner, objective_metric)
       VALUES ($1, 'old', '{MINIMIZE}', '[]', '{"type":"RANDOM"}', '{"type":"NONE"}', 'objective') RETURNING id`,
      [projectId],
    );
    await q(`INSERT INTO trials (study_id, number, state) SELECT $1, n, 'RUNNING' FROM generate_series(0, 2) n`, [studyId]);
    await q(`INSERT INTO metric_series (trial_id, name) SELECT t.id, m FROM trials t, unnest('{objective,accuracy}'::text[]) m`);
    await q(
      `INSERT INTO metric_points (series_id, step, value, time)
       SELECT ms.id, s, ms.id * 100 + s, timestamptz '2026-01-01' + (s * 1001) * interval '1 microsecond'
       FROM metric_series ms, generate_series(0, 9) s`,
    );
    const snapshot = () =>
      q(
        `SELECT ms.trial_id, ms.name, p.step, p.value, (extract(epoch FROM p.time) * 1000000)::int8 AS us
         FROM metric_series ms CROSS JOIN LATERAL series_points(ms.id) p ORDER BY 1, 2, 3`,
      );
    const before = await snapshot();
    expect(before).toHaveLength(60);

    // The schema before the archive: every point a row, whatever its trial's state.
    await dataSource.undoLastMigration({ transaction: "each" });
    expect(await q(`SELECT to_regclass('metric_archive') AS t`)).toEqual([{ t: null }]);
    await q(`UPDATE trials SET state = 'COMPLETE' WHERE number < 2`);
    expect(await q(`SELECT count(*)::int AS n FROM metric_points`)).toEqual([{ n: 60 }]);

    await dataSource.runMigrations({ transaction: "each" });
    expect(await q(`SELECT count(*)::int AS n FROM metric_points`)).toEqual([{ n: 20 }]);
    expect(await q(`SELECT count(*)::int AS n, sum(cardinality(steps))::int AS points FROM metric_archive`)).toEqual([{ n: 4, points: 40 }]);
    expect(await snapshot()).toEqual(before);
    await dataSource.destroy();
  } finally {
    await database.drop();
  }
});
