import "reflect-metadata";
import { execute, parse, type GraphQLSchema } from "graphql";
import { Arg, Ctx, Field, InputType, Int, Mutation, Query, Resolver, UseMiddleware, buildSchema } from "type-graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { callResolversDirectly } from "../../server/src/graphql/directResolvers";

@InputType()
class PointInput {
  @Field(() => Int)
  step: number;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

const seen: { points?: unknown[]; prototypeOfFirst?: object | null; context?: unknown; middlewareRuns: number } = { middlewareRuns: 0 };

@Resolver()
class ProbeResolver {
  private readonly prefix = "n=";

  @Query(() => String)
  hello(@Arg("who", () => String, { defaultValue: "world" }) who: string): string {
    return `hello ${who}`;
  }

  @Mutation(() => String)
  report(@Ctx() context: { tag: string }, @Arg("points", () => [PointInput]) points: PointInput[], @Arg("note", () => String, { nullable: true }) note?: string | null): string {
    seen.points = points;
    seen.prototypeOfFirst = Object.getPrototypeOf(points[0]);
    seen.context = context;
    // `this` is the resolver instance: its fields work as they do through type-graphql.
    return `${this.prefix}${points.length} ${context.tag} ${note ?? "-"}`;
  }

  @Mutation(() => String)
  @UseMiddleware(async (_data, next) => {
    seen.middlewareRuns++;
    return next();
  })
  guarded(): string {
    return "through the middleware";
  }
}

describe("callResolversDirectly", () => {
  let schema: GraphQLSchema;
  let wrapped: GraphQLSchema;

  beforeAll(async () => {
    wrapped = await buildSchema({ resolvers: [ProbeResolver], validate: false });
    schema = await buildSchema({ resolvers: [ProbeResolver], validate: false });
    callResolversDirectly(schema, [ProbeResolver]);
  });

  const run = (target: GraphQLSchema, query: string, variables?: Record<string, unknown>) =>
    execute({ schema: target, document: parse(query), variableValues: variables, contextValue: { tag: "ctx" } });

  it("replaces the resolvers of plain fields and answers as type-graphql's do", async () => {
    const query = `mutation($p: [PointInput!]!, $n: String) { report(points: $p, note: $n) }`;
    const variables = { p: [{ step: 1 }, { step: 2, name: "acc" }], n: "hi" };
    const direct = await run(schema, query, variables);
    const throughTypeGraphql = await run(wrapped, query, variables);
    expect(direct).toEqual({ data: { report: "n=2 ctx hi" } });
    expect(throughTypeGraphql).toEqual(direct);
    expect(await run(schema, `{ hello }`)).toEqual({ data: { hello: "hello world" } });
    expect(await run(schema, `{ hello(who: "you") }`)).toEqual({ data: { hello: "hello you" } });
  });

  it("passes graphql-js's coerced arguments in parameter order, as plain objects", async () => {
    await run(schema, `mutation { report(points: [{ step: 3 }]) }`);
    expect(seen.points).toEqual([{ step: 3 }]);
    expect(seen.prototypeOfFirst).not.toBe(PointInput.prototype);
    expect(seen.context).toEqual({ tag: "ctx" });
  });

  it("leaves fields with middlewares to type-graphql", async () => {
    const before = seen.middlewareRuns;
    expect(await run(schema, `mutation { guarded }`)).toEqual({ data: { guarded: "through the middleware" } });
    expect(seen.middlewareRuns).toBe(before + 1);
  });
});
