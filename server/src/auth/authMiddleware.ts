import type { MiddlewareFn } from "type-graphql";
import type { Context } from "../graphql/context";
import { atLeast } from "./roles";
import { authorizeField } from "./authorizeField";
import { POLICIES } from "./fieldPolicies";

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

/**
 * The global middleware every resolved field passes through: root fields are authorised by their
 * entry in POLICIES before the resolver runs. Nested fields (Study.trials, Trial.study,
 * Search.bestTrial, ...) are reachable only from an authorised root and stay in its project, so they
 * need no check of their own; the one exception, Executor.currentTrial (an executor shared by every
 * project runs trials of all of them), hides a trial the caller may not read.
 * Subscriptions are authorised once, at subscribe (see authorizeSubscriptions); their per-event
 * resolvers pass.
 */
export const authMiddleware: MiddlewareFn<Context> = async ({ info, args, context }, next) => {
  const parent = info.parentType.name;
  if (!ROOT_TYPES.has(parent)) {
    if (parent === "Executor" && info.fieldName === "currentTrial") return hideForeignTrial(context, await next());
    return next();
  }
  if (parent === "Subscription") return next();
  const field = `${parent}.${info.fieldName}`;
  await authorizeField(field, POLICIES[field], context.auth.principal, args, context.auth.lookup);
  return next();
};

async function hideForeignTrial(context: Context, trial: { studyId: string } | null): Promise<unknown> {
  if (!trial || context.auth.principal.unrestrictedAdmin) return trial;
  const study = await context.loaders.study.load(trial.studyId);
  return study && atLeast(context.auth.principal.roleIn(study.projectId), "VIEWER") ? trial : null;
}
