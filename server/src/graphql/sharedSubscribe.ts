import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from "graphql";

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * Says which subscriptions may share the result of one event: equal keys (same document,
 * operation, variables and caller's rights) get one execution. null: never share this one.
 */
export type ShareKey = (args: ExecutionArgs) => string | null;

/**
 * graphql's `subscribe`, except that subscriptions with the same share key execute each source
 * event once between them. Streams hand the same event object to every subscriber they fan out to
 * (see events/metricBatch.ts), so 200 dashboards following one trial cost one execution per
 * report instead of 200; results are remembered per event object and go when the event does.
 */
export function sharedSubscribe(shareKey: ShareKey): (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const resultsByEvent = new WeakMap<object, Map<string, Result>>();
  return async (args) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = shareKey(args);
    const run = (event: unknown): Result => execute({ ...args, rootValue: event });
    return mapEvents(source, (event) => {
      if (key === null || typeof event !== "object" || event === null) return run(event);
      let byKey = resultsByEvent.get(event);
      if (!byKey) {
        byKey = new Map();
        resultsByEvent.set(event, byKey);
      }
      let result = byKey.get(key);
      if (!result) {
        result = run(event);
        byKey.set(key, result);
      }
      return result;
    });
  };
}

/** Ids for documents by identity: a document cache hands the same object for the same text. */
export class DocumentIds {
  private readonly ids = new WeakMap<DocumentNode, number>();
  private next = 0;

  of(document: DocumentNode): number {
    let id = this.ids.get(document);
    if (id === undefined) {
      id = this.next++;
      this.ids.set(document, id);
    }
    return id;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === "function";
}

/**
 * The source's events mapped to results, as graphql's own mapping: return() and throw() go
 * straight to the source, even while a next() waits (an async generator would queue them behind
 * it, and an idle stream would never close).
 */
function mapEvents(source: AsyncIterable<unknown>, map: (event: unknown) => Result): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return { value: undefined, done: true };
    try {
      return { value: await map(step.value), done: false };
    } catch (error) {
      await iterator.return?.().catch(() => undefined);
      throw error;
    }
  };
  return {
    next: async () => mapped(await iterator.next()),
    return: async () => (iterator.return ? mapped(await iterator.return()) : { value: undefined, done: true }),
    throw: async (error: unknown) => {
      if (iterator.throw) return mapped(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
