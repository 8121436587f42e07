/**
 * Ranking for NSGA-II (Deb et al. 2002): constrained domination, fast non-dominated sorting and
 * crowding distance. Objectives are in minimisation form.
 */

export interface Individual {
  /** Objective values, all minimised. */
  objectives: number[];
  /** Total constraint violation (sum of positive constraint values); 0 when feasible. */
  violation: number;
}

/**
 * Deb's constrained domination: a feasible point beats an infeasible one, of two infeasible
 * points the smaller violation wins, and two feasible points compare by Pareto dominance.
 */
export function constrainedDominates(a: Individual, b: Individual): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0) return b.violation > 0 && a.violation < b.violation;
  let strictly = false;
  for (let j = 0; j < a.objectives.length; j++) {
    if (a.objectives[j] > b.objectives[j]) return false;
    if (a.objectives[j] < b.objectives[j]) strictly = true;
  }
  return strictly;
}

/** Fronts of indices, best first (every member of front k is dominated only by earlier fronts). */
export function nonDominatedFronts(pop: Individual[]): number[][] {
  const n = pop.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominates: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (constrainedDominates(pop[i], pop[j])) {
        dominates[i].push(j);
        dominatedBy[j]++;
      } else if (constrainedDominates(pop[j], pop[i])) {
        dominates[j].push(i);
        dominatedBy[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = [];
  for (let i = 0; i < n; i++) if (dominatedBy[i] === 0) current.push(i);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominates[i]) if (--dominatedBy[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`): the normalised
 * perimeter of the box spanned by its neighbours on every objective; extremes are infinite.
 */
export function crowdingDistances(pop: Individual[], front: number[]): number[] {
  const k = front.length;
  const distance = new Array<number>(k).fill(0);
  if (k <= 2) return distance.fill(Number.POSITIVE_INFINITY);
  const m = pop[front[0]].objectives.length;
  for (let j = 0; j < m; j++) {
    const order = front.map((_, p) => p).sort((a, b) => pop[front[a]].objectives[j] - pop[front[b]].objectives[j] || a - b);
    const lo = pop[front[order[0]]].objectives[j];
    const hi = pop[front[order[k - 1]]].objectives[j];
    distance[order[0]] = Number.POSITIVE_INFINITY;
    distance[order[k - 1]] = Number.POSITIVE_INFINITY;
    const span = hi - lo;
    if (!(span > 0) || !Number.isFinite(span)) continue;
    for (let p = 1; p < k - 1; p++) {
      distance[order[p]] += (pop[front[order[p + 1]]].objectives[j] - pop[front[order[p - 1]]].objectives[j]) / span;
    }
  }
  return distance;
}

/** Rank (front index) and crowding distance of every individual. */
export function rankAndCrowding(pop: Individual[]): { rank: number[]; crowding: number[] } {
  const rank = new Array<number>(pop.length).fill(0);
  const crowding = new Array<number>(pop.length).fill(0);
  nonDominatedFronts(pop).forEach((front, r) => {
    const d = crowdingDistances(pop, front);
    front.forEach((i, p) => {
      rank[i] = r;
      crowding[i] = d[p];
    });
  });
  return { rank, crowding };
}

/**
 * NSGA-II environmental selection: whole fronts while they fit, then the most spread-out members
 * of the first front that does not. Returns `size` indices (ties broken by index).
 */
export function selectElite(pop: Individual[], size: number): number[] {
  const chosen: number[] = [];
  for (const front of nonDominatedFronts(pop)) {
    if (chosen.length + front.length <= size) {
      chosen.push(...front);
      if (chosen.length === size) break;
      continue;
    }
    const d = crowdingDistances(pop, front);
    const order = front.map((_, p) => p).sort((a, b) => d[b] - d[a] || front[a] - front[b]);
    for (const p of order.slice(0, size - chosen.length)) chosen.push(front[p]);
    break;
  }
  return chosen;
}
