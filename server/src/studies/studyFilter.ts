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

/**
 * A filter as SQL: the conditions on `projects` (empty when no project is named) and on `studies`
 * (alias s), numbered from $1 in `params`. Only the conditions given appear, not `$n IS NULL OR
 * ...` for the others: the planner can then use the GIN index on tags in every plan it caches.
 */
export interface FilterSql {
  projectConditions: string[];
  studyConditions: string[];
  params: unknown[];
}

/** Checks the filter and turns it into SQL; `visibleProjectIds` null means every project. */
export function studyFilterSql(filter: StudyFilterRequest | null | undefined, visibleProjectIds: readonly string[] | null): FilterSql {
  const f = filter ?? {};
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const projectConditions: string[] = [];
  const studyConditions: string[] = [];
  const named = f.projectId != null || f.project != null;

  if (f.projectId != null) {
    if (!isValidId(f.projectId)) throw new BadUserInputError("filter.projectId is not a project id.", "filter.projectId");
    projectConditions.push(`id = ${param(f.projectId, "bigint")}`);
  }
  if (f.project != null) {
    const project = f.project.trim();
    if (!project) throw new BadUserInputError("filter.project must be a project name; leave it out for every project.", "filter.project");
    projectConditions.push(`name = ${param(project, "text")}`);
  }
  if (visibleProjectIds !== null) {
    const visible = param(visibleProjectIds, "bigint[]");
    if (named) projectConditions.push(`id = ANY(${visible})`);
    studyConditions.push(`s.project_id = ANY(${visible})`);
  }
  if (named) studyConditions.push("s.project_id IN (SELECT id FROM proj)");
  if (f.ids != null) {
    if (f.ids.length > 1000) throw new BadUserInputError(`filter.ids names ${f.ids.length} studies; name at most 1000.`, "filter.ids");
    const bad = f.ids.findIndex((id) => !isValidId(id));
    if (bad >= 0) throw new BadUserInputError(`filter.ids[${bad}] is not a study id.`, `filter.ids[${bad}]`);
    studyConditions.push(`s.id = ANY(${param(f.ids, "bigint[]")})`);
  }
  if (f.tags != null) {
    const tags = checkTags(f.tags, "filter.tags");
    if (tags.length) studyConditions.push(`s.tags @> ${param(tags, "text[]")}`);
  }
  const name = f.nameContains?.trim();
  if (name) studyConditions.push(`s.name ILIKE ${param(`%${name.replace(/[\\%_]/g, (c) => "\\" + c)}%`, "text")}`);
  if (f.createdAfter && f.createdBefore && f.createdAfter >= f.createdBefore) {
    throw new BadUserInputError("filter.createdAfter must be earlier than filter.createdBefore.", "filter.createdBefore");
  }
  if (f.createdAfter) studyConditions.push(`s.created_at >= ${param(f.createdAfter, "timestamptz")}`);
  if (f.createdBefore) studyConditions.push(`s.created_at < ${param(f.createdBefore, "timestamptz")}`);
  return { projectConditions, studyConditions, params };
}

/** The project the filter names (then an unknown one is NOT_FOUND, not an empty answer), or null. */
export function namesProject(filter: StudyFilterRequest | null | undefined): string | null {
  return filter?.projectId ?? filter?.project?.trim() ?? null;
}
