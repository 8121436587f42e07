import type { GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";

/** The part of type-graphql's resolver metadata that says how a method takes its parameters. */
interface ParamMetadata {
  kind: string;
  index: number;
  /** Argument name, for kind "arg". */
  name?: string;
  /** A property of the context or root instead of the whole, for kinds "context" and "root". */
  propertyName?: string;
  /** A type the root is converted to, for kind "root". */
  getType?: unknown;
}

interface ResolverMetadata {
  schemaName: string;
  methodName: string;
  target: new () => Record<string, (...params: unknown[]) => unknown>;
  params?: ParamMetadata[];
  middlewares?: unknown[];
  roles?: unknown[];
}

/**
 * Lets the root Query and Mutation fields call their resolver methods with graphql-js's arguments
 * as they are. type-graphql's own wrapper converts every argument into an instance of its input
 * class and validates it through a promise even with validation off: about a tenth of a
 * reportMetrics request's CPU. Our input classes are plain data and validation is off, so the
 * arguments graphql-js has coerced are what the methods need.
 *
 * A field keeps type-graphql's wrapper when it takes anything this does not pass the same way:
 * middlewares, roles, an @Args class, a typed @Root, or a custom parameter decorator.
 * Run on the schema type-graphql built from `resolverClasses`, before anything else wraps its
 * resolvers.
 */
export function callResolversDirectly(schema: GraphQLSchema, resolverClasses: readonly Function[]): void {
  const storage = getMetadataStorage() as unknown as { queries: ResolverMetadata[]; mutations: ResolverMetadata[] };
  const instances = new Map<ResolverMetadata["target"], Record<string, (...params: unknown[]) => unknown>>();
  const instanceOf = (target: ResolverMetadata["target"]) => {
    let instance = instances.get(target);
    if (!instance) {
      instance = new target();
      instances.set(target, instance);
    }
    return instance;
  };
  const roots: Array<[GraphQLObjectType | null | undefined, ResolverMetadata[]]> = [
    [schema.getQueryType(), storage.queries],
    [schema.getMutationType(), storage.mutations],
  ];
  const built = new Set(resolverClasses);
  for (const [root, allDefinitions] of roots) {
    if (!root) continue;
    const fields = root.getFields();
    // type-graphql's metadata holds every decorated class loaded; only the schema's own count.
    const definitions = allDefinitions.filter((d) => built.has(d.target));
    for (const definition of definitions) {
      if (definitions.filter((d) => d.schemaName === definition.schemaName).length > 1) continue;
      const field = fields[definition.schemaName];
      const pick = field && parameterPicker(definition);
      if (!pick) continue;
      const instance = instanceOf(definition.target);
      const method = instance[definition.methodName];
      field.resolve = (source, args, context, info) => method.apply(instance, pick(source, args, context, info));
    }
  }
}

type Getter = (source: unknown, args: Record<string, unknown>, context: unknown, info: GraphQLResolveInfo) => unknown;
type Picker = (...resolverArgs: Parameters<Getter>) => unknown[];

/** How to lay out the method's parameters from (source, args, context, info); null if it needs type-graphql. */
function parameterPicker(definition: ResolverMetadata): Picker | null {
  if (definition.middlewares?.length || definition.roles?.length) return null;
  const params = [...(definition.params ?? [])].sort((a, b) => a.index - b.index);
  if (params.some((p, i) => p.index !== i)) return null;
  const getters: Getter[] = [];
  for (const param of params) {
    const property = param.propertyName;
    switch (param.kind) {
      case "arg":
        getters.push((_s, args) => args[param.name!]);
        break;
      case "context":
        getters.push(property ? (_s, _a, context) => (context as Record<string, unknown>)[property] : (_s, _a, context) => context);
        break;
      case "root":
        if (param.getType) return null;
        getters.push(property ? (source) => (source as Record<string, unknown>)[property] : (source) => source);
        break;
      case "info":
        getters.push((_s, _a, _c, info) => info);
        break;
      default:
        return null;
    }
  }
  return (source, args, context, info) => getters.map((get) => get(source, args, context, info));
}
