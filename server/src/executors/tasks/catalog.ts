import type { TaskDefinition } from "./taskDefinition";
import { commandTask } from "./commandTask";
import { lrRangeTask } from "./lrRangeTask";
import { tfjsMlpTask } from "./tfjsMlpTask";

/** Every trainer a search's task may name, by name: what the server checks startSearch against. */
export const taskCatalog: ReadonlyMap<string, TaskDefinition> = new Map(
  [tfjsMlpTask, lrRangeTask, commandTask].map((definition) => [definition.trainer, definition]),
);
