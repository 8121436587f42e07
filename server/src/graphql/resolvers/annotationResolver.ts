import DataLoader from "dataloader";
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import type { StudyRecord, TrialRecord } from "../../studies/records";
import type { Context } from "../context";
import { Study } from "../types/study";
import { Trial } from "../types/trial";

type Annotations = { tags: string[]; note: string | null };

// Trial records rebuilt from another server's events lack tags and notes; a batch of them costs
// one query, not one per trial. Not cached: a subscription keeps its context for every event, and
// each event must show the tags as they are now.
const annotationLoaders = new WeakMap<Context, DataLoader<string, Annotations>>();

function annotationsOf(ctx: Context, trial: TrialRecord): Annotations | Promise<Annotations> {
  if (trial.tags !== undefined) return { tags: trial.tags, note: trial.note ?? null };
  let loader = annotationLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (ids) => {
        const found = await ctx.services.annotations.ofTrials(ids);
        return ids.map((id) => found.get(id) ?? { tags: [], note: null });
      },
      { cache: false },
    );
    annotationLoaders.set(ctx, loader);
  }
  return loader.load(trial.id);
}

/** Tags and notes: study fields are plain columns; the mutations and the trial fields live here. */
@Resolver(() => Trial)
export class AnnotationResolver {
  @FieldResolver(() => [String], { description: "Labels on the trial; set with setTrialTags or tagTrial." })
  async tags(@Root() trial: TrialRecord, @Ctx() ctx: Context): Promise<string[]> {
    return (await annotationsOf(ctx, trial)).tags;
  }

  @FieldResolver(() => String, { nullable: true, description: "Free text about the trial; set with setTrialNote." })
  async note(@Root() trial: TrialRecord, @Ctx() ctx: Context): Promise<string | null> {
    return (await annotationsOf(ctx, trial)).note;
  }

  @Mutation(() => Study, {
    description: "Replace a study's tags (each trimmed, 1 to 64 characters; at most 50; duplicates dropped).",
  })
  setStudyTags(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("tags", () => [String]) tags: string[],
  ): Promise<StudyRecord> {
    return ctx.services.annotations.setStudyTags(studyId, tags);
  }

  @Mutation(() => Study, { description: "Add and remove some of a study's tags; the others stay, in their order." })
  tagStudy(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("add", () => [String], { nullable: true }) add?: string[] | null,
    @Arg("remove", () => [String], { nullable: true }) remove?: string[] | null,
  ): Promise<StudyRecord> {
    return ctx.services.annotations.tagStudy(studyId, add, remove);
  }

  @Mutation(() => Study, { description: "Set a study's note (at most 10,000 characters); null or blank clears it." })
  setStudyNote(
    @Ctx() ctx: Context,
    @Arg("studyId", () => ID) studyId: string,
    @Arg("note", () => String, { nullable: true }) note?: string | null,
  ): Promise<StudyRecord> {
    return ctx.services.annotations.setStudyNote(studyId, note);
  }

  @Mutation(() => Trial, { description: "Replace a trial's tags, in any state (same rules as setStudyTags)." })
  setTrialTags(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("tags", () => [String]) tags: string[],
  ): Promise<TrialRecord> {
    return ctx.services.annotations.setTrialTags(trialId, tags);
  }

  @Mutation(() => Trial, { description: "Add and remove some of a trial's tags; the others stay, in their order." })
  tagTrial(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("add", () => [String], { nullable: true }) add?: string[] | null,
    @Arg("remove", () => [String], { nullable: true }) remove?: string[] | null,
  ): Promise<TrialRecord> {
    return ctx.services.annotations.tagTrial(trialId, add, remove);
  }

  @Mutation(() => Trial, { description: "Set a trial's note (at most 10,000 characters), in any state; null or blank clears it." })
  setTrialNote(
    @Ctx() ctx: Context,
    @Arg("trialId", () => ID) trialId: string,
    @Arg("note", () => String, { nullable: true }) note?: string | null,
  ): Promise<TrialRecord> {
    return ctx.services.annotations.setTrialNote(trialId, note);
  }
}
