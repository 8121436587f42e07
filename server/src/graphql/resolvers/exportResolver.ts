import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { StudyRecord } from "../../studies/records";
import type { Context } from "../context";
import { ExportFormat } from "../types/export";
import { Study } from "../types/study";

@Resolver()
export class ExportResolver {
  @Query(() => String, {
    description: "A study as text: JSON (lossless, importable) or CSV (one row per trial; no curves).",
  })
  exportStudy(
    @Ctx() ctx: Context,
    @Arg("id", () => ID) id: string,
    @Arg("format", () => ExportFormat, { defaultValue: ExportFormat.JSON }) format: ExportFormat,
  ): Promise<string> {
    return ctx.services.studyExport.export(id, format);
  }

  @Mutation(() => Study, {
    description:
      "Create a study from exportStudy's JSON, with trial numbers, states, params, values, metrics, tags, notes, " +
      "attributes and times (the study's creation time too) exactly as exported. One transaction: bad input writes nothing.",
  })
  importStudy(
    @Ctx() ctx: Context,
    @Arg("data", () => String) data: string,
    @Arg("name", () => String, { nullable: true, description: "The new study's name; default the exported one." }) name?: string | null,
    @Arg("project", () => String, { nullable: true, description: 'The project to import into, by name; default "default".' })
    project?: string | null,
  ): Promise<StudyRecord> {
    return ctx.services.studyExport.import(data, name, project);
  }
}
