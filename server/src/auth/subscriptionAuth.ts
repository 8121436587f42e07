import type { GraphQLField, GraphQLSchema } from "graphql";
import type { Context } from "../graphql/context";
import { authorizeField } from "./authorizeField";
import { POLICIES } from "./fieldPolicies";

/**
 * Wraps every subscription's `subscribe` with the same check as the middleware: type-graphql's
 * middlewares run on the per-event resolver, which is too late to refuse a stream.
 */
export function authorizeSubscriptions(schema: GraphQLSchema): void {
  const fields = schema.getSubscriptionType()?.getFields() ?? {};
  for (const field of Object.values(fields) as Array<GraphQLField<unknown, Context>>) {
    const subscribe = field.subscribe;
    if (!subscribe) continue;
    const name = `Subscription.${field.name}`;
    field.subscribe = async (source, args, context, info) => {
      await authorizeField(name, POLICIES[name], context.auth.principal, args, context.auth.lookup);
      return subscribe(source, args, context, info);
    };
  }
}
