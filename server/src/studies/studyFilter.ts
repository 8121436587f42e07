import { BadUserInputError } from "../errors";
import { checkTags } from "./annotationChecks";
import { isValidId } from "./ids";

/** Which studies to compare; every given condition must hold. */
export interface StudyFilterRequest {
  /** Only these studies. */
  ids?: string[] | null;
  /** The project, by id. */
  projectId?: string | null;
  /** The project, by name (the one every server has is "default"). */
  project?: string | null;
  /** Studies carrying all of these tags. */
  tags?: string[] | null;
  /** Case-insensitive part of the name. */
  nameContains?: string | null;
  /** Created at or after this time. */
  createdAfter?: Date | null;
  /** Created before this time. */
  createdBefore?: Date | null;
}

/** The filter as SQL parameters, in the order the comparison query numbers them ($1..$7). */
export function studyFilterParams(filter: StudyFilterRequest | null | undefined): unknown[] {
  const f = filter ?? {};
  if (f.ids != null) {
    if (f.ids.length > 1000) throw new BadUserInputError(`filter.ids names ${f.ids.length} studies; name at most 1000.`, "filter.ids");
    const bad = f.ids.findIndex((id) => !isValidId(id));
    if (bad >= 0) throw new BadUserInputError(`filter.ids[${bad}] is not a study id.`, `filter.ids[${bad}]`);
  }
  if (f.projectId != null && !isValidId(f.projectId)) {
    throw new BadUserInputError(`filter.projectId is not a project id.`, "filter.projectId");
  }
  const project = f.project == null ? null : f.project.trim();
  if (project === "") throw new BadUserInputError("filter.project must be a project name; leave it out for every project.", "filter.project");
  const tags = f.tags == null ? null : checkTags(f.tags, "filter.tags");
  const name = f.nameContains?.trim() ? `%${f.nameContains.trim().replace(/[\\%_]/g, (c) => "\\" + c)}%` : null;
  if (f.createdAfter && f.createdBefore && f.createdAfter >= f.createdBefore) {
    throw new BadUserInputError("filter.createdAfter must be earlier than filter.createdBefore.", "filter.createdBefore");
  }
  return [f.projectId ?? null, project, f.ids ?? null, tags, name, f.createdAfter ?? null, f.createdBefore ?? null];
}

/** Whether the filter names a project (then an unknown project is NOT_FOUND, not an empty answer). */
export function namesProject(filter: StudyFilterRequest | null | undefined): string | null {
  return filter?.projectId ?? filter?.project?.trim() ?? null;
}
