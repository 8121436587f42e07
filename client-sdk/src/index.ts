/**
 * @graphtune/client: the typed client for training scripts, notebooks and dashboards, in Node and
 * browsers.
 *
 * - Graphtune, Study, Trial: an Optuna-style layer (createStudy, optimize, suggestFloat, report,
 *   TrialPruned, bestTrial, ...), with live watches over graphql-ws.
 * - GraphtuneClient: the GraphQL-over-HTTP transport underneath, with retries, for any operation;
 *   the generated typed documents and types are exported from "./generated/graphql".
 * - Errors: one class per server error code (BadUserInputError, NotFoundError, ConflictError, ...).
 */
export { Graphtune, type CreateStudyOptions, type Direction, type GraphtuneOptions } from "./graphtune";
export {
  Study,
  type FinishedState,
  type FrozenTrial,
  type MetricBatch,
  type Objective,
  type OptimizeOptions,
  type StudyProgress,
  type ToldTrial,
  type WatchMetricsOptions,
} from "./study";
export { Trial, type PruneDecision } from "./trial";
export { Search, type SearchSnapshot, type StartSearchOptions } from "./search";
export { categoricalParam, floatParam, intParam, type FloatParamOptions, type IntParamOptions } from "./params";
export { GraphtuneClient, type ClientOptions, type Document, type RequestOptions } from "./client";
export type { RetryOptions } from "./retry";
export type { LiveOptions } from "./live";
export type { JsonValue } from "./json";
export {
  BadResponseError,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  GraphtuneError,
  InternalServerError,
  NetworkError,
  NotFoundError,
  TrialPruned,
  UnauthenticatedError,
  type ErrorCode,
} from "./errors";
export type {
  CreateStudyInput,
  MetricPointInput,
  ParamSpecInput,
  ParamType,
  PrunerInput,
  SamplerInput,
  SearchState,
  StudyDirection,
  TrialControlAction,
  TrialState,
} from "./generated/graphql";
