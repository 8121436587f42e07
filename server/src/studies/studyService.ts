import { randomInt } from "node:crypto";
import type { Database } from "../db/database";
import { BadUserInputError, ConflictError, NotFoundError } from "../errors";
import {
  InvalidSpaceError,
  assertPrunerConfig,
  defaultSamplerType,
  parseSearchSpace,
  type Direction,
  type JsonValue,
  type RawParamSpec,
} from "../optimization";
import { createStudySampler } from "../optimization/studySampler";
import { isValidId, parseId } from "./ids";
import { checkName, checkObject } from "./inputChecks";
import { STUDY_COLUMNS, studyFromRow, type StudyRecord } from "./records";
import { arrayParam } from "../db/arrayParam";

export interface CreateStudyRequest {
  name: string;
  directions?: Direction[] | null;
  searchSpace?: RawParamSpec[] | null;
  sampler?: { type: string; seed?: number | null; options?: JsonValue | null } | null;
  pruner?: { type: string; options?: JsonValue | null } | null;
  loadIfExists?: boolean | null;
  objectiveMetric?: string | null;
  userAttrs?: JsonValue | null;
  /** The project's name; default "default". */
  project?: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
}

/** Creating, finding, listing and deleting studies. */
export class StudyService {
  private defaultProjectId: string | null = null;

  constructor(private readonly db: Database) {}

  /** The project that studies belong to when the caller names none. */
  async defaultProject(): Promise<string> {
    if (this.defaultProjectId) return this.defaultProjectId;
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO projects (name) VALUES ('default')
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    );
    this.defaultProjectId = String(row.id);
    return this.defaultProjectId;
  }

  async create(request: CreateStudyRequest): Promise<StudyRecord> {
    const study = normaliseStudy(request);
    const projectId = request.project == null ? await this.defaultProject() : await this.projectNamed(request.project);
    const rows = await this.db.query(
      `INSERT INTO studies (project_id, name, directions, search_space, sampler, pruner, objective_metric, user_attrs)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (project_id, name) DO NOTHING
       RETURNING ${STUDY_COLUMNS}`,
      [
        projectId,
        study.name,
        study.directions,
        JSON.stringify(study.searchSpace),
        JSON.stringify(study.sampler),
        JSON.stringify(study.pruner),
        study.objectiveMetric,
        JSON.stringify(study.userAttrs),
      ],
    );
    if (rows.length) return studyFromRow(rows[0]);
    if (!request.loadIfExists) {
      throw new ConflictError(
        `a study named "${study.name}" already exists; choose another name or pass loadIfExists: true to reuse it.`,
        "input.name",
      );
    }
    const existing = await this.findByName(study.name, projectId);
    if (!existing) throw new ConflictError(`study "${study.name}" was deleted while loading it; try again.`, "input.name");
    return existing;
  }

  async get(id: string): Promise<StudyRecord> {
    const study = await this.find(id);
    if (!study) throw new NotFoundError("study", id);
    return study;
  }

  async find(id: string): Promise<StudyRecord | null> {
    if (!isValidId(id)) return null;
    const rows = await this.db.query(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = $1`, [id]);
    return rows.length ? studyFromRow(rows[0]) : null;
  }

  /** The project of that name, or NOT_FOUND. */
  private async projectNamed(name: string): Promise<string> {
    const rows = await this.db.query<{ id: string }>(`SELECT id FROM projects WHERE name = $1`, [name]);
    if (!rows.length) throw new NotFoundError("project", name);
    return String(rows[0].id);
  }

  /** A study by name in the project of that name; null when either does not exist. */
  async findByNameInProject(name: string, projectName: string): Promise<StudyRecord | null> {
    const rows = await this.db.query(
      `SELECT ${STUDY_COLUMNS} FROM studies WHERE project_id = (SELECT id FROM projects WHERE name = $1) AND name = $2`,
      [projectName, name],
    );
    return rows.length ? studyFromRow(rows[0]) : null;
  }

  /** A study by name in a project (default: the default project). */
  async findByName(name: string, projectId?: string): Promise<StudyRecord | null> {
    projectId ??= await this.defaultProject();
    const rows = await this.db.query(`SELECT ${STUDY_COLUMNS} FROM studies WHERE project_id = $1 AND name = $2`, [
      projectId,
      name,
    ]);
    return rows.length ? studyFromRow(rows[0]) : null;
  }

  async findMany(ids: readonly string[]): Promise<Map<string, StudyRecord>> {
    const rows = await this.db.query(`SELECT ${STUDY_COLUMNS} FROM studies WHERE id = ANY(${arrayParam(1, "bigint")})`, [ids.filter(isValidId)]);
    return new Map(rows.map((r) => [String(r.id), studyFromRow(r)]));
  }

  /**
   * Studies in creation order; `afterId` is the last id of the previous page. `projectIds` are the
   * projects the caller may see; null: every project.
   */
  async list(first: number, afterId: string | null, nameContains: string | null, projectIds: readonly string[] | null = null): Promise<Page<StudyRecord>> {
    const pattern = nameContains ? `%${nameContains.replace(/[\\%_]/g, (c) => "\\" + c)}%` : null;
    const [rows, [{ count }]] = await Promise.all([
      this.db.query(
        `SELECT ${STUDY_COLUMNS} FROM studies
         WHERE ($1::bigint[] IS NULL OR project_id = ANY($1::bigint[])) AND ($2::bigint IS NULL OR id > $2) AND ($3::text IS NULL OR name ILIKE $3)
         ORDER BY id LIMIT $4`,
        [projectIds, afterId, pattern, first + 1],
      ),
      this.db.query<{ count: string }>(
        `SELECT count(*) FROM studies WHERE ($1::bigint[] IS NULL OR project_id = ANY($1::bigint[])) AND ($2::text IS NULL OR name ILIKE $2)`,
        [projectIds, pattern],
      ),
    ]);
    return {
      items: rows.slice(0, first).map(studyFromRow),
      hasNextPage: rows.length > first,
      totalCount: Number(count),
    };
  }

  /** Merges `attrs` into the study's user attributes; a key set to null is removed. */
  async setUserAttrs(id: string, attrs: unknown): Promise<StudyRecord> {
    parseId("study", id);
    const patch = checkObject(attrs, "attrs");
    const rows = await this.db.query(
      `UPDATE studies SET user_attrs = (user_attrs || $2::jsonb) - $3::text[] WHERE id = $1 RETURNING ${STUDY_COLUMNS}`,
      [id, JSON.stringify(patch), Object.keys(patch).filter((k) => patch[k] === null)],
    );
    if (!rows.length) throw new NotFoundError("study", id);
    return studyFromRow(rows[0]);
  }

  /** Deletes a study with its trials and metrics. */
  async delete(id: string): Promise<void> {
    parseId("study", id);
    const rows = await this.db.query(`DELETE FROM studies WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) throw new NotFoundError("study", id);
  }
}

/** Validates a createStudy request and fills in the defaults. */
function normaliseStudy(request: CreateStudyRequest) {
  const name = checkName(request.name, "input.name");
  const directions = request.directions ?? ["MINIMIZE"];
  if (directions.length === 0) {
    throw new BadUserInputError("input.directions must name at least one direction (MINIMIZE or MAXIMIZE).", "input.directions");
  }
  const searchSpace = parseSearchSpace(request.searchSpace ?? [], "input.searchSpace");

  const samplerType = request.sampler?.type?.trim().toUpperCase() || defaultSamplerType();
  const samplerOptions = request.sampler?.options == null ? {} : checkObject(request.sampler.options, "input.sampler.options");
  const seed = request.sampler?.seed ?? randomInt(0, 2 ** 31 - 1);
  const sampler = { type: samplerType, seed, options: samplerOptions };
  prefixErrorField("input.", () => createStudySampler(sampler));

  const prunerType = request.pruner?.type?.trim().toUpperCase() || "NONE";
  const prunerOptions = request.pruner?.options == null ? {} : checkObject(request.pruner.options, "input.pruner.options");
  const pruner = { type: prunerType, options: prunerOptions };
  prefixErrorField("input.", () => assertPrunerConfig(pruner));

  const objectiveMetric = request.objectiveMetric == null ? "objective" : checkName(request.objectiveMetric, "input.objectiveMetric");
  const userAttrs = request.userAttrs == null ? {} : checkObject(request.userAttrs, "input.userAttrs");
  return { name, directions, searchSpace, sampler, pruner, objectiveMetric, userAttrs };
}

/** Engine errors name fields relative to the sampler/pruner; callers see them under `input.`. */
function prefixErrorField(prefix: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidSpaceError) throw new InvalidSpaceError(prefix + error.field, error.message);
    throw error;
  }
}
