import DataLoader from "dataloader";
import type { Database } from "../db/database";
import { isValidId } from "../studies/ids";
import { arrayParam } from "../db/arrayParam";

/** What an argument can name, for finding its project. */
export enum RefKind {
  Project = "project",
  ProjectName = "projectName",
  Study = "study",
  Trial = "trial",
  Search = "search",
  Executor = "executor",
}

/** Where a named thing lives: its projects (null: an executor shared by every project). */
export interface RefOwner {
  projectIds: string[] | null;
  /** Trials only: whether a search runs it (EXECUTOR keys may report and tell only those). */
  searchTrial: boolean;
}

/** The SQL of one look-up per kind: ids in, (id, project ids, search trial) out. */
const QUERIES: Record<RefKind, string> = {
  [RefKind.Project]: `SELECT id::text AS key, ARRAY[id] AS projects, false AS search_trial FROM projects WHERE id = ANY(${arrayParam(1, "bigint")})`,
  [RefKind.ProjectName]: `SELECT name AS key, ARRAY[id] AS projects, false AS search_trial FROM projects WHERE name = ANY(${arrayParam(1, "text")})`,
  [RefKind.Study]: `SELECT id::text AS key, ARRAY[project_id] AS projects, false AS search_trial FROM studies WHERE id = ANY(${arrayParam(1, "bigint")})`,
  [RefKind.Trial]: `SELECT t.id::text AS key, ARRAY[s.project_id] AS projects, t.search_id IS NOT NULL AS search_trial
                    FROM trials t JOIN studies s ON s.id = t.study_id WHERE t.id = ANY(${arrayParam(1, "bigint")})`,
  [RefKind.Search]: `SELECT se.id::text AS key, ARRAY[s.project_id] AS projects, false AS search_trial
                     FROM searches se JOIN studies s ON s.id = se.study_id WHERE se.id = ANY(${arrayParam(1, "bigint")})`,
  [RefKind.Executor]: `SELECT id::text AS key, project_ids AS projects, false AS search_trial FROM executors WHERE id = ANY(${arrayParam(1, "bigint")})`,
};

/**
 * Finds the projects of the ids a request names, batched: all the ids of one kind in one request
 * cost one query. Made per request, so a change between requests is always seen.
 */
export class ProjectLookup {
  private readonly loaders = new Map<RefKind, DataLoader<string, RefOwner | null>>();

  constructor(private readonly db: Database) {}

  /** The owner of one id, or null when it names nothing (the resolver then answers NOT_FOUND). */
  owner(kind: RefKind, id: string): Promise<RefOwner | null> {
    if (kind !== RefKind.ProjectName && !isValidId(id)) return Promise.resolve(null);
    let loader = this.loaders.get(kind);
    if (!loader) {
      loader = new DataLoader(async (keys) => {
        const rows = await this.db.query<{ key: string; projects: string[] | null; search_trial: boolean }>(QUERIES[kind], [keys]);
        const found = new Map(rows.map((r) => [r.key, { projectIds: r.projects?.map(String) ?? null, searchTrial: r.search_trial }]));
        return keys.map((k) => found.get(k) ?? null);
      });
      this.loaders.set(kind, loader);
    }
    return loader.load(id);
  }
}
