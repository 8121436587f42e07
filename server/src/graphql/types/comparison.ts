import { Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { JsonValue } from "../../optimization";
import { DateTimeScalar, JSONScalar } from "../scalars";
import { StudyDirection, TrialState } from "./enums";
import { PageInfo } from "./paging";
import { TrialStateCounts } from "./streams";
import { Study } from "./study";
import { Trial } from "./trial";

export enum CurveAxis {
  TRIAL_NUMBER = "TRIAL_NUMBER",
  ELAPSED_TIME = "ELAPSED_TIME",
}

registerEnumType(CurveAxis, {
  name: "CurveAxis",
  description: "What the x of a best-so-far curve measures.",
  valuesConfig: {
    TRIAL_NUMBER: { description: "The trial number; trials are taken in number order." },
    ELAPSED_TIME: { description: "Seconds from the study's first trial start to each completion; trials are taken in completion order." },
  },
});

@ObjectType({ description: "One point of a best-so-far curve: a trial after which the study's best value changed, or its last trial." })
export class CurvePoint {
  @Field(() => Float, { description: "The position on the axis asked for: a trial number or seconds since the study began." })
  x: number;

  @Field(() => Int)
  trialNumber: number;

  @Field(() => DateTimeScalar, { nullable: true })
  completedAt: Date | null;

  @Field(() => Float, { description: "The study's best objective value so far (its first objective)." })
  value: number;

  @Field(() => Float, { description: "`value` on the shared scale: 1 is the best any compared study reached, 0 the worst best-so-far among them." })
  normalized: number;
}

@ObjectType({
  description:
    "How curves were normalised: min-max over every best-so-far value of the compared studies, direction-aware. " +
    "normalized = (value - worst) / (best - worst), in the direction's sense; 1 when best = worst.",
})
export class CurveScale {
  @Field(() => StudyDirection, { description: "The studies' common direction; MAXIMIZE when they mix directions (values of minimised studies then enter negated)." })
  direction: StudyDirection;

  @Field(() => Boolean)
  mixedDirections: boolean;

  @Field(() => Float, { description: "The value that maps to 0." })
  worst: number;

  @Field(() => Float, { description: "The value that maps to 1." })
  best: number;
}

@ObjectType()
export class ComparedStudy {
  @Field(() => String, { description: "Pass as `after` to continue after this study." })
  cursor: string;

  @Field(() => Study, { description: "The study; select paramImportances, bestTrial, bestTrials and the rest here." })
  study: Study;

  @Field(() => TrialStateCounts)
  counts: TrialStateCounts;

  @Field(() => [Float], { nullable: true, description: "Per objective, the best value any COMPLETE trial reached; null without one." })
  bestValues: number[] | null;

  @Field(() => [CurvePoint], { description: "The best value so far, on the shared scale, downsampled to maxCurvePoints. Empty without COMPLETE trials." })
  bestSoFar: CurvePoint[];
}

@ObjectType()
export class StudyComparison {
  @Field(() => [ComparedStudy])
  entries: ComparedStudy[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int, { description: "Studies matching the filter, on all pages." })
  totalCount: number;

  @Field(() => CurveAxis)
  axis: CurveAxis;

  @Field(() => CurveScale, { nullable: true, description: "The shared scale of this page's curves; null when none has a point." })
  scale: CurveScale | null;
}

@ObjectType({ description: "A finished trial among compared ones." })
export class ComparedTrial {
  @Field(() => ID)
  studyId: string;

  @Field(() => ID)
  trialId: string;

  @Field(() => Int)
  number: number;

  @Field(() => TrialState)
  state: TrialState;

  @Field(() => [Float], { nullable: true })
  values: number[] | null;

  @Field(() => JSONScalar, { description: "The compared parameters only; a trial without one lacks its key." })
  params: Record<string, JsonValue>;

  @Field(() => Trial)
  trial: Trial;
}

@ObjectType()
export class TrialComparison {
  @Field(() => [String], { description: "The compared parameters: those asked for, or the names the studies' trials share." })
  params: string[];

  @Field(() => [ComparedTrial], { description: "By study (in the order asked), then trial number." })
  entries: ComparedTrial[];

  @Field(() => Boolean, { description: "Whether some study had more trials than `first`." })
  hasMore: boolean;
}
