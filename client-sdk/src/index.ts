/**
 * @graphtune/client: the typed client for training scripts, notebooks and dashboards.
 * For now a small GraphQL-over-HTTP transport whose errors carry the contract's codes; the
 * Optuna-style layer (studies, trials, suggest/report/prune, live watches) grows on top of it.
 */

/** An error the server answered, with its `extensions.code` (BAD_USER_INPUT, NOT_FOUND, CONFLICT, ...). */
export class GraphtuneError extends Error {
  constructor(
    message: string,
    /** The contract's error code. */
    readonly code: string,
    /** The input field to fix, when the server names one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "GraphtuneError";
  }
}

export interface ClientOptions {
  /** The server's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Sent as `authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  /** A fetch implementation; default: the global fetch (Node 18+ and browsers). */
  fetch?: typeof fetch;
}

/** Sends GraphQL operations; the first error of a response is thrown as a GraphtuneError. */
export class GraphtuneClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await this.fetchImpl(this.options.url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
    let body: { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new GraphtuneError(`the server answered HTTP ${response.status} without a GraphQL body`, "BAD_RESPONSE");
    }
    const error = body.errors?.[0];
    if (error) throw new GraphtuneError(error.message, error.extensions?.code ?? "INTERNAL_SERVER_ERROR", error.extensions?.field);
    if (body.data === undefined) throw new GraphtuneError(`the server answered HTTP ${response.status} without data`, "BAD_RESPONSE");
    return body.data;
  }
}
