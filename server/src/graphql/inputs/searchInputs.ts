import { Field, Float, ID, InputType, Int } from "type-graphql";
import { TrialState } from "../types/enums";
import type { JsonValue } from "../../optimization";
import { JSONScalar } from "../scalars";

@InputType()
export class StartSearchInput {
  @Field(() => ID)
  studyId: string;

  @Field(() => Int, { nullable: true, description: "Trials to run; omitted: until the timeout or a cancel." })
  nTrials?: number | null;

  @Field(() => Int, { nullable: true, description: "No trial starts after this many seconds; running ones finish." })
  timeoutSeconds?: number | null;

  @Field(() => Int, { nullable: true, description: "Trials running at once; default 1." })
  concurrency?: number | null;

  @Field(() => Int, { nullable: true, description: "How often a failed trial (crash, lost worker) runs again with the same parameters; default 0." })
  maxRetries?: number | null;

  @Field(() => JSONScalar, {
    description:
      'Which trainer runs each trial, and its settings: e.g. { trainer: "tfjs-mlp", dataset: "digits", epochs: 30 } or { trainer: "command", argv: ["python3", "train.py"] }.',
  })
  task: JsonValue;
}

@InputType()
export class RegisterExecutorInput {
  @Field(() => String)
  host: string;

  @Field(() => String, { description: "cpu or gpu:N." })
  device: string;

  @Field(() => String)
  backend: string;

  @Field(() => [String], { nullable: true, description: "The trainers it runs; claims hand it only their searches. Default: any." })
  trainers?: string[] | null;

  @Field(() => JSONScalar, { nullable: true })
  labels?: JsonValue | null;
}

@InputType({ description: "How the executor's previous trial ended, told in the same request as the next claim." })
export class FinishedTrialInput {
  @Field(() => ID)
  trialId: string;

  @Field(() => TrialState, { description: "COMPLETE, PRUNED or FAIL." })
  state: TrialState;

  @Field(() => [Float], { nullable: true })
  values?: number[] | null;

  @Field(() => String, { nullable: true, description: "Why it failed (FAIL)." })
  reason?: string | null;

  @Field(() => JSONScalar, { nullable: true, description: "Merged into the trial's userAttrs first." })
  userAttrs?: JsonValue | null;
}
