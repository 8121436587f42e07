import { GraphQLError, Kind, type FragmentDefinitionNode, type ValidationRule } from "graphql";
import { queryCost } from "./queryCost";

export interface QueryLimits {
  /** Deepest selection allowed; default 12 (the dashboard and the SDK go 7 deep). */
  maxDepth?: number;
  /** Largest estimated cost (see queryCost) allowed; default 100,000. */
  maxCost?: number;
}

/** A validation rule that refuses operations deeper or costlier than the limits, before anything runs. */
export function queryLimitsRule(limits: QueryLimits = {}): ValidationRule {
  const maxDepth = limits.maxDepth ?? 12;
  const maxCost = limits.maxCost ?? 100_000;
  return (context) => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
    }
    return {
      OperationDefinition(operation) {
        const { depth, cost } = queryCost(operation.selectionSet, fragments, operation.operation === "mutation");
        const name = operation.name ? `operation ${operation.name.value}` : "the operation";
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`${name} is ${depth} levels deep; at most ${maxDepth} are allowed. Ask for less nesting, in several requests if need be.`, {
              nodes: [operation],
            }),
          );
        }
        if (cost > maxCost) {
          context.reportError(
            new GraphQLError(
              `${name} is too costly (estimated ${cost}, at most ${maxCost}): pass smaller \`first\` pages, nest fewer pages, or send fewer mutations at once.`,
              { nodes: [operation] },
            ),
          );
        }
      },
    };
  };
}
