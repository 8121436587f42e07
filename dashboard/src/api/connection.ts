import { Graphtune } from "../../../client-sdk/src/index";

/**
 * The one client of the page: queries and mutations over HTTP, live streams over graphql-ws, both
 * at the /graphql endpoint beside the page (so the dashboard works behind any path prefix).
 */
export const graphqlUrl = new URL("graphql", location.href.split("#")[0]).toString();

export const gt = new Graphtune({
  url: graphqlUrl,
  // A person is waiting: give up sooner than a training script would.
  retry: { attempts: 3, initialDelayMs: 200, maxDelayMs: 1000 },
  timeoutMs: 20_000,
});

/** Runs a dashboard query (a plain document string) with its variables. */
export function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  return gt.client.request<T, Record<string, unknown>>(document, variables);
}
