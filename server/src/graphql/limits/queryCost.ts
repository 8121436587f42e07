import { Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from "graphql";

/** The depth and estimated cost of one operation, with fragments expanded. */
export interface QueryCost {
  depth: number;
  cost: number;
}

export interface QueryCostOptions {
  /** What a page argument (`first`) counts for when it is a variable or omitted; default 1000, the largest page. */
  assumedPage?: number;
  /** The extra cost of each root mutation field (aliases can repeat one many times); default 500. */
  mutationCost?: number;
}

/**
 * Each field costs 1, plus its selections times the page it asks for (`first`), so nested pages
 * multiply: studies(first: 1000) { trials(first: 1000) { ... } } costs over a million. Fields of
 * introspection (__schema, __type) are free: tools send deep ones that do little work.
 */
export function queryCost(
  selectionSet: SelectionSetNode,
  fragments: Readonly<Record<string, FragmentDefinitionNode>>,
  isMutation: boolean,
  options: QueryCostOptions = {},
): QueryCost {
  const assumedPage = options.assumedPage ?? 1000;
  const mutationCost = options.mutationCost ?? 500;
  const walk = (set: SelectionSetNode, seen: ReadonlySet<string>, root: boolean): QueryCost => {
    let depth = 0;
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const inner = selection.selectionSet ? walk(selection.selectionSet, seen, false) : { depth: 0, cost: 0 };
        const first = selection.arguments?.find((a) => a.name.value === "first");
        const page = first ? pageOf(first.value, assumedPage) : selection.selectionSet && takesPage(selection.name.value) ? assumedPage : 1;
        cost += 1 + inner.cost * page + (root && isMutation ? mutationCost : 0);
        depth = Math.max(depth, 1 + inner.depth);
      } else {
        let inner: QueryCost = { depth: 0, cost: 0 };
        if (selection.kind === Kind.INLINE_FRAGMENT) inner = walk(selection.selectionSet, seen, root);
        else if (!seen.has(selection.name.value) && fragments[selection.name.value]) {
          inner = walk(fragments[selection.name.value].selectionSet, new Set([...seen, selection.name.value]), root);
        }
        cost += inner.cost;
        depth = Math.max(depth, inner.depth);
      }
    }
    return { depth, cost };
  };
  return walk(selectionSet, new Set(), true);
}

/** Connection fields whose omitted `first` still returns a page (100 by default). */
function takesPage(field: string): boolean {
  return field === "studies" || field === "trials";
}

function pageOf(value: ValueNode, assumed: number): number {
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  return assumed;
}
