import pg from "pg";
// The driver's own conversion of parameter values, so that values are sent as pool.query sends them.
import { prepareValue } from "pg/lib/utils";

/** What the connection object of pg 8 offers to a query that writes its own protocol messages. */
interface ProtocolConnection {
  parse(config: { text: string; name?: string; types?: unknown[] }): void;
  bind(config: { statement?: string; portal?: string; values?: unknown[]; valueMapper?: unknown }): void;
  describe(config: { type: "P" | "S"; name: string }): void;
  execute(config: { portal?: string; rows?: number }): void;
  sync(): void;
  stream: { cork?: () => void; uncork?: () => void };
  submittedNamedStatements: Record<string, string>;
}

export interface PipelineOptions {
  /** Opens the transaction with this statement: BEGIN goes in the same write. */
  begin: boolean;
  /** Commits the transaction after this statement, in the same write. */
  commit: boolean;
}

interface PgResult {
  command: string | null;
  rows: unknown[];
}

/**
 * One prepared statement sent with BEGIN before it and/or COMMIT after it, in one write and one
 * round trip: the extended protocol runs every message up to Sync in order, and skips the rest
 * after an error (a failed statement leaves its transaction aborted, not committed). pg 8 has no
 * pipelining of its own: each query waits for the previous one's answer.
 */
class PipelinedQuery extends (pg.Query as unknown as new (config: pg.QueryConfig & { callback: unknown }) => object) {
  constructor(
    config: pg.QueryConfig,
    private readonly options: PipelineOptions,
    callback: (error: Error | null, results: PgResult | PgResult[]) => void,
  ) {
    super({ ...config, callback });
  }

  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: ProtocolConnection): void {
    const self = this as unknown as pg.QueryConfig & { hasBeenParsed(c: ProtocolConnection): boolean };
    // The statement's own Parse goes first: the driver takes the first ParseComplete as this
    // statement's, and if parsing fails, nothing after it runs.
    if (!self.hasBeenParsed(connection)) {
      connection.parse({ text: self.text, name: self.name });
      if (self.name) connection.submittedNamedStatements[self.name] = self.text;
    }
    if (this.options.begin) sendUnnamed(connection, "BEGIN");
    connection.bind({ statement: self.name, values: self.values, valueMapper: prepareValue });
    connection.describe({ type: "P", name: "" });
    connection.execute({});
    if (this.options.commit) sendUnnamed(connection, "COMMIT");
    connection.sync();
  }
}

function sendUnnamed(connection: ProtocolConnection, text: string): void {
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
}

/** Runs `config` on `client` with BEGIN and/or COMMIT in the same round trip; returns its rows. */
export function pipelinedQuery<T>(client: pg.PoolClient, config: pg.QueryConfig, options: PipelineOptions): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(config, options, (error, results) => {
      if (error) return reject(error);
      // One result per statement that completed: [BEGIN?, the statement, COMMIT?].
      const all = Array.isArray(results) ? results : [results];
      resolve(all[options.begin ? 1 : 0].rows as T[]);
    });
    client.query(query as unknown as pg.Submittable);
  });
}
