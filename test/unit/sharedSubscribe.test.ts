import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type ExecutionArgs, type ExecutionResult } from "graphql";
import { describe, expect, it } from "vitest";
import { BoundedQueue } from "../../server/src/events/boundedQueue";
import { DocumentIds, sharedSubscribe } from "../../server/src/graphql/sharedSubscribe";

interface Tick {
  n: number;
}

/** A schema whose subscription follows a queue of ticks; `executions` counts field resolutions. */
function fixture() {
  const sources: BoundedQueue<Tick>[] = [];
  const counter = { executions: 0 };
  const TickType = new GraphQLObjectType({
    name: "Tick",
    fields: {
      n: { type: GraphQLInt },
      label: {
        type: GraphQLString,
        args: { prefix: { type: GraphQLString } },
        resolve: (tick: Tick, args: { prefix?: string }) => {
          counter.executions++;
          return `${args.prefix ?? ""}${tick.n}`;
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLInt, resolve: () => 1 } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        ticks: {
          type: TickType,
          args: { fail: { type: GraphQLString } },
          subscribe: (_root: unknown, args: { fail?: string }) => {
            if (args.fail) throw new Error(args.fail);
            const queue = new BoundedQueue<Tick>({ capacity: 100 });
            sources.push(queue);
            return queue;
          },
          resolve: (tick: unknown) => tick,
        },
      },
    }),
  });
  return { schema, sources, counter };
}

const documents = new DocumentIds();
const keyOf = (args: ExecutionArgs) => JSON.stringify([documents.of(args.document), args.variableValues ?? null]);

async function open(schema: GraphQLSchema, subscribe: ReturnType<typeof sharedSubscribe>, document: ReturnType<typeof parse>, variables = {}) {
  const result = await subscribe({ schema, document, variableValues: variables });
  if (!(Symbol.asyncIterator in result)) throw new Error(`not a stream: ${JSON.stringify(result)}`);
  return result as AsyncIterableIterator<ExecutionResult>;
}

describe("sharedSubscribe", () => {
  it("executes an event once for subscriptions with the same key, and apart for other keys", async () => {
    const { schema, sources, counter } = fixture();
    const subscribe = sharedSubscribe(keyOf);
    const doc = parse(`subscription($p: String) { ticks { n label(prefix: $p) } }`);
    const a = await open(schema, subscribe, doc, { p: "a" });
    const b = await open(schema, subscribe, doc, { p: "a" });
    const c = await open(schema, subscribe, doc, { p: "c" });
    const event = { n: 7 };
    for (const s of sources) s.push(event);
    const [ra, rb, rc] = await Promise.all([a.next(), b.next(), c.next()]);
    expect(ra.value).toEqual({ data: { ticks: { n: 7, label: "a7" } } });
    expect(rb.value).toEqual(ra.value);
    expect(rc.value).toEqual({ data: { ticks: { n: 7, label: "c7" } } });
    expect(counter.executions).toBe(2);
    // Another event object is executed again, even with equal contents.
    const another = { n: 7 };
    for (const s of sources) s.push(another);
    await Promise.all([a.next(), b.next(), c.next()]);
    expect(counter.executions).toBe(4);
  });

  it("never shares when the key is null", async () => {
    const { schema, sources, counter } = fixture();
    const subscribe = sharedSubscribe(() => null);
    const doc = parse(`subscription { ticks { label } }`);
    const a = await open(schema, subscribe, doc);
    const b = await open(schema, subscribe, doc);
    const event = { n: 1 };
    for (const s of sources) s.push(event);
    await Promise.all([a.next(), b.next()]);
    expect(counter.executions).toBe(2);
  });

  it("closes the source at once when a waiting subscription is returned", async () => {
    const { schema, sources } = fixture();
    const stream = await open(schema, sharedSubscribe(keyOf), parse(`subscription { ticks { n } }`));
    const waiting = stream.next();
    await stream.return!();
    expect(sources[0].isClosed).toBe(true);
    expect(await waiting).toEqual({ value: undefined, done: true });
  });

  it("passes subscribe-time errors through as a result", async () => {
    const { schema } = fixture();
    const result = await sharedSubscribe(keyOf)({ schema, document: parse(`subscription { ticks(fail: "no such study") { n } }`) });
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0].message).toBe("no such study");
  });
});
