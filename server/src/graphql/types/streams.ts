import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../scalars";
import { TrialState } from "./enums";
import { Trial } from "./trial";

export enum TrialControlAction {
  PRUNE = "PRUNE",
  STOP = "STOP",
  CANCEL = "CANCEL",
}

registerEnumType(TrialControlAction, {
  name: "TrialControlAction",
  description: "What the executor running a trial must do.",
  valuesConfig: {
    PRUNE: { description: "Stop training: the trial was pruned (by its pruner or by pruneTrial); tell it PRUNED if it is still RUNNING." },
    STOP: { description: "Stop training: the trial was finished elsewhere (COMPLETE or FAIL); do not tell it." },
    CANCEL: { description: "Stop training: the search that runs the trial was cancelled." },
  },
});

@ObjectType({ description: "Trials of a study by state." })
export class TrialStateCounts {
  @Field(() => Int, { description: "Trials enqueued and not yet asked for (state WAITING)." })
  waiting: number;

  @Field(() => Int)
  running: number;

  @Field(() => Int)
  complete: number;

  @Field(() => Int)
  pruned: number;

  @Field(() => Int)
  fail: number;

  @Field(() => Int, { description: "Every trial of the study." })
  total: number;
}

@ObjectType({ description: "Where a study stands, as studyProgress streams it." })
export class StudyProgress {
  @Field(() => ID)
  studyId: string;

  @Field(() => TrialStateCounts)
  counts: TrialStateCounts;

  @Field(() => Float, { nullable: true, description: "The best objective value so far (single-objective studies)." })
  bestValue: number | null;

  @Field(() => Trial, { nullable: true, description: "The trial with the best value so far (single-objective studies)." })
  bestTrial: Trial | null;

  @Field(() => DateTimeScalar, { description: "When the server read these numbers." })
  time: Date;
}

@ObjectType({ description: "An instruction to the executor running a trial, as trialControl streams it." })
export class TrialControlSignal {
  @Field(() => ID)
  trialId: string;

  @Field(() => TrialControlAction)
  action: TrialControlAction;

  @Field(() => String, { nullable: true, description: "Why: the pruner's reason, the pruneTrial reason, or how the trial finished." })
  reason: string | null;

  @Field(() => TrialState, { description: "The trial's state when the signal was sent: RUNNING when the pruner said prune before the trial was told." })
  state: TrialState;
}
