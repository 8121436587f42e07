import { ForbiddenError, Graphtune, UnauthenticatedError } from "../../../client-sdk/src/index";

/**
 * The one client of the page: queries and mutations over HTTP, live streams over graphql-ws, both
 * at the /graphql endpoint beside the page (so the dashboard works behind any path prefix).
 */
export const graphqlUrl = new URL("graphql", location.href.split("#")[0]).toString();

/** Where the API key a person entered is kept between visits (this browser only). */
const KEY_STORAGE = "graphtune.apiKey";

/** Fired on window when the server asks for credentials; the detail is its message. */
export const AUTH_NEEDED = "graphtune:auth-needed";

function connect(apiKey: string | undefined): Graphtune {
  return new Graphtune({
    url: graphqlUrl,
    apiKey,
    // A person is waiting: give up sooner than a training script would.
    retry: { attempts: 3, initialDelayMs: 200, maxDelayMs: 1000 },
    timeoutMs: 20_000,
  });
}

export let gt = connect(storedKey());

function storedKey(): string | undefined {
  try {
    return localStorage.getItem(KEY_STORAGE) || undefined;
  } catch {
    return undefined;
  }
}

export function hasApiKey(): boolean {
  return storedKey() !== undefined;
}

/** Uses this API key from now on (null forgets it); live streams reconnect with it. */
export function setApiKey(key: string | null): void {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
  void gt.close();
  gt = connect(key ?? undefined);
}

/** Runs a dashboard query (a plain document string) with its variables. */
export async function query<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
  try {
    return await gt.client.request<T, Record<string, unknown>>(document, variables);
  } catch (error) {
    if (error instanceof UnauthenticatedError || error instanceof ForbiddenError) {
      window.dispatchEvent(new CustomEvent(AUTH_NEEDED, { detail: error.message }));
    }
    throw error;
  }
}
