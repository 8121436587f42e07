/**
 * Optuna's group decomposition of a search space (TPESampler group=True): split parameter names
 * into disjoint groups such that every trial's parameter set is a union of whole groups. Params of
 * one group always appear together, so a joint Parzen estimator over a group sees complete rows.
 */
export function decomposeIntoGroups(paramSets: Iterable<string[]>): string[][] {
  let groups: Set<string>[] = [];
  for (const names of paramSets) {
    let rest = new Set(names);
    if (rest.size === 0) continue;
    const next: Set<string>[] = [];
    for (const group of groups) {
      const inter = new Set<string>();
      const diff = new Set<string>();
      for (const n of group) (rest.has(n) ? inter : diff).add(n);
      if (inter.size > 0) next.push(inter);
      if (diff.size > 0) next.push(diff);
      if (inter.size > 0) {
        const remaining = new Set<string>();
        for (const n of rest) if (!group.has(n)) remaining.add(n);
        rest = remaining;
      }
    }
    if (rest.size > 0) next.push(rest);
    groups = next;
  }
  return groups.map((g) => [...g]);
}

/** The names present in every set (Optuna's intersection search space, for group=false). */
export function intersectParamSets(paramSets: Iterable<string[]>): string[] {
  let common: Set<string> | null = null;
  for (const names of paramSets) {
    const set: Set<string> = new Set(names);
    if (common === null) common = set;
    else for (const n of [...common]) if (!set.has(n)) common.delete(n);
  }
  return common ? [...common] : [];
}
