import { expect, it } from "vitest";
import { Database } from "../../server/src/db/database";
import { createTestDatabase } from "../helpers/testServer";

it("survives PostgreSQL dropping a connection in the middle of a transaction", async () => {
  const database = await createTestDatabase();
  const db = new Database(database.url, 2);
  try {
    const failed = db
      .transaction(async (sql) => {
        const [{ pid }] = await sql.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        // Another connection ends this one, as an administrator or a failover would.
        await db.query("SELECT pg_terminate_backend($1)", [pid]);
        await new Promise((r) => setTimeout(r, 200));
        await sql.query("SELECT 1");
      })
      .then(
        () => null,
        (error: Error) => error,
      );
    expect(await failed).toBeInstanceOf(Error);
    // The pool replaces the dropped connection and keeps serving.
    expect(await db.query<{ ok: number }>("SELECT 1 AS ok")).toEqual([{ ok: 1 }]);
  } finally {
    await db.close();
    await database.drop();
  }
});
