import { InvalidSpaceError } from "../errors";
import type { JsonValue } from "../types";
import { HyperbandPruner } from "./hyperbandPruner";
import { NopPruner } from "./nopPruner";
import { PrunerOptions } from "./options";
import { ParetoSuccessiveHalvingPruner } from "./paretoSuccessiveHalvingPruner";
import { PatientPruner } from "./patientPruner";
import { PercentilePruner } from "./percentilePruner";
import type { Pruner, PrunerConfig } from "./pruner";
import { SuccessiveHalvingPruner } from "./successiveHalvingPruner";
import { ThresholdPruner } from "./thresholdPruner";
import { WilcoxonPruner } from "./wilcoxonPruner";

/** Builds a pruner from its options, which name their own fields in errors. */
type PrunerFactory = (options: PrunerOptions) => Pruner;

/** Every pruner type a study may name. NONE is the default. */
const factories: Record<string, PrunerFactory> = {
  NONE: (o) => {
    o.done();
    return new NopPruner();
  },
  MEDIAN: (o) => PercentilePruner.parse(o, 50),
  PERCENTILE: (o) => PercentilePruner.parse(o),
  THRESHOLD: (o) => ThresholdPruner.parse(o),
  PATIENT: (o) => PatientPruner.parse(o, build),
  SUCCESSIVE_HALVING: (o) => SuccessiveHalvingPruner.parse(o),
  HYPERBAND: (o) => HyperbandPruner.parse(o),
  WILCOXON: (o) => WilcoxonPruner.parse(o),
  PARETO_SUCCESSIVE_HALVING: (o) => ParetoSuccessiveHalvingPruner.parse(o),
};

export function prunerTypes(): string[] {
  return Object.keys(factories);
}

/** Throws BAD_USER_INPUT-style errors for unknown types or bad options; use before storing a study. */
export function assertPrunerConfig(config: PrunerConfig): void {
  createPruner(config);
}

export function createPruner(config: PrunerConfig): Pruner {
  return build(config.type, config.options ?? {}, "pruner");
}

/** `path` is where this pruner's config sits: "pruner", or "pruner.options.wrapped" for PATIENT's. */
function build(type: string, options: Record<string, JsonValue>, path: string): Pruner {
  const factory = factories[type];
  if (!factory) {
    throw new InvalidSpaceError(`${path}.type`, `${path}.type: unknown pruner type "${type}"; use one of ${prunerTypes().join(", ")}.`);
  }
  return factory(new PrunerOptions(options, `${path}.options`));
}
