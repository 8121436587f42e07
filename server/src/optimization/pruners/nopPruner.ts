import { KEEP, type PruneDecision, type Pruner } from "./pruner";

/** Never prunes: the default. */
export class NopPruner implements Pruner {
  readonly needsHistory = false;
  prune(): PruneDecision {
    return KEEP;
  }
}
