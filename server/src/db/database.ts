import { createHash } from "node:crypto";
import pg from "pg";
import { pipelinedQuery } from "./pipelinedQuery";

const statementNames = new Map<string, string>();

/**
 * Every statement the services send is a fixed text, so each gets a stable name and PostgreSQL
 * parses and plans it once per connection instead of on every call (the ask, tell and report
 * statements are large CTEs, where planning is a real share of the cost).
 */
function prepared(text: string, values?: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = "gt_" + createHash("sha1").update(text).digest("hex").slice(0, 20);
    statementNames.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

/** Runs SQL; the same shape inside and outside a transaction. */
export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** A transaction's SQL, which can end the transaction with its last statement. */
export interface TransactionSql extends Sql {
  /**
   * Runs the transaction's last statement and commits it in the same round trip. Nothing may run
   * on this transaction afterwards; a failure rolls it back as any other does.
   */
  queryAndCommit<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The pool the services query through. TypeORM owns the schema (entities, migrations); the hot
 * paths (ask, tell, report) use plain parameterised SQL on this pool, which costs a fraction of
 * TypeORM's per-query overhead.
 */
export class Database implements Sql {
  readonly pool: pg.Pool;
  /** Connections whose commits do not wait for the WAL flush; see `queryAsyncCommit`. */
  private readonly asyncCommitPool: pg.Pool;

  constructor(url: string, poolSize = 20) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize });
    this.asyncCommitPool = new pg.Pool({
      connectionString: url,
      max: Math.max(2, Math.ceil(poolSize / 2)),
      options: "-c synchronous_commit=off",
    });
    // An idle client that loses its connection must not crash the process.
    this.pool.on("error", () => undefined);
    this.asyncCommitPool.on("error", () => undefined);
  }

  /**
   * For writes whose loss in a crash of PostgreSQL itself would be harmless (metric points: a
   * report retried or lost costs a point of a curve). The commit returns without waiting for the
   * WAL to reach disk, which costs a disk flush (milliseconds) per statement otherwise. Ordering
   * and consistency are unchanged; only the last fraction of a second of such writes can be lost,
   * and only when the database server crashes.
   */
  async queryAsyncCommit<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    const result = await this.asyncCommitPool.query(prepared(text, params));
    return result.rows as T[];
  }

  async query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]> {
    const result = await this.pool.query(prepared(text, params));
    return result.rows as T[];
  }

  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. BEGIN
   * travels with the first statement, and COMMIT with the last when `fn` uses queryAndCommit, so
   * a transaction of two statements costs two round trips instead of four.
   */
  async transaction<T>(fn: (sql: TransactionSql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    let begun = false;
    let committed = false;
    // The pool stops listening for a client's errors while it is checked out; a connection the
    // server drops mid-transaction would otherwise crash the process. The query in flight rejects
    // by itself; the client is discarded on release.
    const onError = () => {
      broken = true;
    };
    client.on("error", onError);
    const run = async <R>(text: string, params: unknown[] | undefined, commit: boolean): Promise<R[]> => {
      if (committed) throw new Error("this transaction has committed; no statement may follow queryAndCommit");
      const config = prepared(text, params);
      if (begun && !commit) return (await client.query(config)).rows as R[];
      // Set before sending, so that a statement issued alongside this one does not BEGIN again.
      const begin = !begun;
      begun = true;
      committed = commit;
      return pipelinedQuery<R>(client, config, { begin, commit });
    };
    try {
      const result = await fn({
        query: (text, params) => run(text, params, false),
        queryAndCommit: (text, params) => run(text, params, true),
      });
      if (begun && !committed) await client.query("COMMIT");
      return result;
    } catch (error) {
      if (begun) {
        await client.query("ROLLBACK").catch(() => {
          broken = true;
        });
      }
      throw error;
    } finally {
      client.removeListener("error", onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.asyncCommitPool.end()]);
  }
}
