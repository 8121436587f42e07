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
