import { InvalidSpaceError } from "../errors";
import type { JsonValue } from "../types";
import { NopPruner } from "./nopPruner";
import type { Pruner, PrunerConfig } from "./pruner";

type PrunerFactory = (options: Record<string, JsonValue>) => Pruner;

/** Every pruner type a study may name. NONE is the default. */
const factories: Record<string, PrunerFactory> = {
  NONE: () => new NopPruner(),
};

export function prunerTypes(): string[] {
  return Object.keys(factories);
}

/** Throws BAD_USER_INPUT-style errors for unknown types or bad options; use before storing a study. */
export function assertPrunerConfig(config: PrunerConfig): void {
  createPruner(config);
}

export function createPruner(config: PrunerConfig): Pruner {
  const factory = factories[config.type];
  if (!factory) {
    throw new InvalidSpaceError("pruner.type", `unknown pruner type "${config.type}"; use one of ${prunerTypes().join(", ")}.`);
  }
  return factory(config.options);
}
