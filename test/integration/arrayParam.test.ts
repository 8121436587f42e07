import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { arrayParam } from "../../server/src/db/arrayParam";
import { createServices } from "../../server/src/services";
import { createTestDatabase } from "../helpers/testServer";

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
beforeAll(async () => {
  database = await createTestDatabase();
  await (await openDatabase(database.url, 2)).destroy();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  await client.query(`CREATE TABLE plan_probe (id bigint PRIMARY KEY, v int)`);
  await client.query(`INSERT INTO plan_probe SELECT g, g % 7 FROM generate_series(1, 20000) g`);
  await client.query(`ANALYZE plan_probe`);
});
afterAll(async () => {
  await client?.end();
  await database?.drop();
});

/** Runs a named statement 12 times on one connection; answers how often it was planned each way. */
async function plans(client: pg.Client, name: string, text: string, values: () => unknown[]): Promise<{ generic: number; custom: number }> {
  for (let i = 0; i < 12; i++) await client.query({ name, text, values: values() });
  const { rows } = await client.query(`SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = $1`, [name]);
  return { generic: Number(rows[0].generic_plans), custom: Number(rows[0].custom_plans) };
}

describe("array parameters for = ANY(...)", () => {
  it("keep a generic plan, where the bare parameter is planned anew on every call", async () => {
    let k = 0;
    const ids = () => [[String(1 + (k++ % 20000))]];
    const bare = await plans(client, "bare", `SELECT v FROM plan_probe WHERE id = ANY($1::bigint[])`, ids);
    const wrapped = await plans(client, "wrapped", `SELECT v FROM plan_probe WHERE id = ANY(${arrayParam(1, "bigint")})`, ids);
    expect(bare).toEqual({ generic: 0, custom: 12 });
    expect(wrapped.custom).toBeLessThanOrEqual(5);
    expect(wrapped.generic).toBeGreaterThanOrEqual(7);
    // Same answers, through the primary key.
    const plan = await client.query(`EXPLAIN SELECT v FROM plan_probe WHERE id = ANY(${arrayParam(1, "bigint")})`.replace("$1", "'{5,6}'"));
    expect(plan.rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("Index Scan using plan_probe_pkey");
    const { rows } = await client.query(`SELECT id FROM plan_probe WHERE id = ANY(${arrayParam(1, "text")}::bigint[]) ORDER BY id`, [["5", "6"]]);
    expect(rows.map((r) => r.id)).toEqual(["5", "6"]);
  });

  it("are what the services' look-ups by id use", async () => {
    const db = new Database(database.url, 1);
    try {
      const services = createServices(db);
      const study = await services.studies.create({ name: "probe", searchSpace: [{ name: "x", type: "FLOAT", low: 0, high: 1 }] });
      for (let i = 0; i < 12; i++) await services.studies.findMany([study.id]);
      // The pool's one connection is the one that ran them.
      const [row] = await db.query<{ generic_plans: string }>(
        `SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM studies WHERE id = ANY((SELECT $1::bigint[])::bigint[])%'`,
      );
      expect(Number(row.generic_plans)).toBeGreaterThanOrEqual(7);
    } finally {
      await db.close();
    }
  });
});
