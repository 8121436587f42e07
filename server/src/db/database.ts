import pg from "pg";

/** Runs SQL; the same shape inside and outside a transaction. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The pool the services query through. TypeORM owns the schema (entities, migrations); the hot
 * paths (ask, tell, report) use plain parameterised SQL on this pool, which costs a fraction of
 * TypeORM's per-query overhead.
 */
export class Database implements Sql {
  readonly pool: pg.Pool;

  constructor(url: string, poolSize = 20) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize });
    // An idle client that loses its connection must not crash the process.
    this.pool.on("error", () => undefined);
  }

  async query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    const result = await this.pool.query(text, params as unknown[]);
    return result.rows as T[];
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const sql: Sql = {
        query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params as unknown[])).rows as R[],
      };
      const result = await fn(sql);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
