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

it("sends BEGIN with a transaction's first statement and COMMIT with queryAndCommit, and rolls back either on failure", async () => {
  const database = await createTestDatabase();
  // One connection: every transaction below reuses it, so a transaction left open would show.
  const db = new Database(database.url, 1);
  const other = new Database(database.url, 1);
  const count = async () => (await other.query<{ n: number }>("SELECT count(*)::int AS n FROM t"))[0].n;
  try {
    await db.query("CREATE TABLE t (x int PRIMARY KEY)");
    const seen = await db.transaction(async (sql) => {
      const [first] = await sql.query<{ x: number }>("INSERT INTO t VALUES (1) RETURNING x");
      const invisible = await count(); // not committed yet: the insert ran inside BEGIN
      const [last] = await sql.queryAndCommit<{ x: number }>("INSERT INTO t VALUES (2) RETURNING x");
      const visible = await count(); // committed with the last statement
      await expect(sql.query("SELECT 1")).rejects.toThrow(/committed/);
      return { first: first.x, last: last.x, invisible, visible };
    });
    expect(seen).toEqual({ first: 1, last: 2, invisible: 0, visible: 2 });

    // The committing statement fails: nothing of the transaction stays.
    const lastFails = db.transaction(async (sql) => {
      await sql.query("INSERT INTO t VALUES (3)");
      await sql.queryAndCommit("INSERT INTO t VALUES (1)");
    });
    await expect(lastFails).rejects.toThrow(/duplicate key/);
    // The first statement (sent with BEGIN) fails: the transaction is rolled back, not left open.
    await expect(db.transaction((sql) => sql.query("INSERT INTO t VALUES (2)"))).rejects.toThrow(/duplicate key/);
    expect(await db.query<{ x: number }>("SELECT x FROM t ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);

    // Statements issued together share the one BEGIN; the connection is idle afterwards.
    const rows = await db.transaction((sql) => Promise.all([sql.query("SELECT 1 AS a"), sql.query("SELECT 2 AS b")]));
    expect(rows).toEqual([[{ a: 1 }], [{ b: 2 }]]);
    // SAVEPOINT is refused outside a transaction block: none was left open.
    await expect(db.query("SAVEPOINT probe")).rejects.toThrow(/transaction blocks/);
    await db.transaction((sql) => sql.queryAndCommit("INSERT INTO t VALUES (4)"));
    expect(await count()).toBe(3);
  } finally {
    await db.close();
    await other.close();
    await database.drop();
  }
});

it("keeps a connection usable after a statement that fails to parse was sent with BEGIN", async () => {
  const database = await createTestDatabase();
  const db = new Database(database.url, 1);
  try {
    const broken = "SELECT x FROM no_such_table";
    await expect(db.transaction((sql) => sql.query(broken))).rejects.toThrow(/no_such_table/);
    await db.query("CREATE TABLE no_such_table (x int)");
    // The same text again: parsed anew, since the first parse failed.
    expect(await db.transaction((sql) => sql.query(broken))).toEqual([]);
    expect(await db.transaction((sql) => sql.queryAndCommit(broken))).toEqual([]);
  } finally {
    await db.close();
    await database.drop();
  }
});
