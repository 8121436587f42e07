import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { DateTimeScalar, JSONScalar } from "../scalars";
import { TrialState } from "./enums";
import { Trial } from "./trial";

export enum SearchState {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  COMPLETED = "COMPLETED",
  CANCELLED = "CANCELLED",
  FAILED = "FAILED",
}
export enum EvaluationState {
  NONE = "NONE",
  PENDING = "PENDING",
  RUNNING = "RUNNING",
  DONE = "DONE",
  FAILED = "FAILED",
}
export enum ClaimKind {
  TRIAL = "TRIAL",
  EVALUATION = "EVALUATION",
}
registerEnumType(SearchState, { name: "SearchState" });
registerEnumType(EvaluationState, {
  name: "EvaluationState",
  description: "The held-out test evaluation of a search's best trial.",
  valuesConfig: {
    NONE: { description: "Not asked for (yet): the trainer has none, or the budget is not spent." },
    PENDING: { description: "The budget is spent; waiting for an executor to evaluate the best trial." },
    RUNNING: { description: "An executor is training the best trial's parameters again and scoring it on test data." },
    DONE: { description: "metrics holds the test scores." },
    FAILED: { description: "metrics holds the error." },
  },
});
registerEnumType(ClaimKind, { name: "ClaimKind" });

/** Field resolvers (study, trial counts, bestTrial, trials, evaluation) live in SearchResolver. */
@ObjectType({ description: "A budget of trials of one study that executors run with a task." })
export class Search {
  @Field(() => ID)
  id: string;

  @Field(() => SearchState)
  state: SearchState;

  @Field(() => Int, { nullable: true })
  nTrials: number | null;

  @Field(() => Int, { nullable: true })
  timeoutSeconds: number | null;

  @Field(() => Int)
  concurrency: number;

  @Field(() => Int, { description: "How often a failed trial is run again with the same parameters." })
  maxRetries: number;

  @Field(() => JSONScalar, { description: "The trainer and its settings, every default filled in." })
  task: Record<string, JsonValue>;

  @Field(() => String, { nullable: true, description: "Why the search ended." })
  endReason: string | null;

  @Field(() => DateTimeScalar)
  createdAt: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When an executor claimed its first trial." })
  startedAt: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  endedAt: Date | null;
}

@ObjectType({ description: "The best trial's scores on the test part of the data, which the search never saw." })
export class SearchEvaluation {
  @Field(() => EvaluationState)
  state: EvaluationState;

  @Field(() => JSONScalar, { nullable: true, description: "Metric name to value (e.g. testAccuracy), or { error }." })
  metrics: Record<string, JsonValue> | null;
}

@ObjectType({ description: "A worker process that runs trials: one per device." })
export class Executor {
  @Field(() => ID)
  id: string;

  @Field(() => String)
  host: string;

  @Field(() => String, { description: "cpu or gpu:N." })
  device: string;

  @Field(() => String, { description: "What computes there: tensorflow-gpu, tensorflow, wasm, cpu (plain tfjs) or process." })
  backend: string;

  @Field(() => [String], { description: "The trainers it runs." })
  trainers: string[];

  @Field(() => JSONScalar)
  labels: Record<string, JsonValue>;

  @Field(() => DateTimeScalar)
  registeredAt: Date;

  @Field(() => DateTimeScalar)
  lastSeenAt: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the worker said it was leaving." })
  stoppedAt: Date | null;
}

@ObjectType({ description: "Work for an executor: run a trial, or evaluate the best trial of a finished search." })
export class Claim {
  @Field(() => ClaimKind)
  kind: ClaimKind;

  @Field(() => Search)
  search: Search;

  @Field(() => Trial, { description: "The trial to run (TRIAL), or the best trial to evaluate (EVALUATION)." })
  trial: Trial;

  @Field(() => Int, { description: "Send executorHeartbeat at least this often (seconds), or the trial fails." })
  heartbeatSeconds: number;

  @Field(() => Int, { description: "Seconds without a heartbeat after which the trial fails." })
  leaseSeconds: number;
}

@ObjectType()
export class HeartbeatAnswer {
  @Field(() => TrialState, { nullable: true, description: "The trial's state now, when a trial was named." })
  trialState: TrialState | null;

  @Field(() => Boolean, { description: "Stop the trial now: it was pruned, finished elsewhere, cancelled or its lease lost." })
  stop: boolean;

  @Field(() => String, { nullable: true })
  reason: string | null;
}
