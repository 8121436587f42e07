import { GraphtuneClient, type ClientOptions } from "./client";
import { NotFoundError } from "./errors";
import {
  CreateStudyDocument,
  DeleteStudyDocument,
  GetSearchDocument,
  GetStudyDocument,
  ListExecutorsDocument,
  ListStudiesDocument,
  type CreateStudyInput,
  type ListExecutorsQuery,
  type ListStudiesQuery,
  type ParamSpecInput,
  type PrunerInput,
  type SamplerInput,
  type StudyDirection,
} from "./generated/graphql";
import type { JsonValue } from "./json";
import { LiveConnection, type LiveOptions } from "./live";
import { Search } from "./search";
import { Study } from "./study";

export interface GraphtuneOptions extends ClientOptions {
  /** The WebSocket side (watchMetrics, watchProgress, watchTrials); see LiveOptions. */
  live?: LiveOptions;
}

/** A direction as the schema spells it, or in Optuna's lower case. */
export type Direction = StudyDirection | "minimize" | "maximize";

export interface CreateStudyOptions {
  /** Unique per project. */
  name: string;
  /** The project (by name) the study belongs to; default "default". */
  project?: string;
  /** One objective's direction; default "minimize". */
  direction?: Direction;
  /** Several directions make a multi-objective study; default [direction]. */
  directions?: Direction[];
  /** type RANDOM, GRID, QMC, TPE, GP, CMAES, NSGA2 or AUTO, with a seed and options; default AUTO. */
  sampler?: SamplerInput;
  /** type NONE, MEDIAN, PERCENTILE, THRESHOLD, PATIENT, SUCCESSIVE_HALVING or HYPERBAND; default NONE. */
  pruner?: PrunerInput;
  /**
   * Declared parameters (floatParam, intParam, categoricalParam build them): askTrial samples
   * them all in one round trip and suggest* reads them locally. Default none: every suggestion is
   * define-by-run, one request each.
   */
  searchSpace?: ParamSpecInput[];
  /** The metric pruners read and trial.report writes; default "objective". */
  objectiveMetric?: string;
  /** Free-form attributes stored with the study; default {}. */
  userAttrs?: JsonValue;
  /** Load the study of that name if it exists instead of failing with CONFLICT; default false. */
  loadIfExists?: boolean;
}

const upper = (d: Direction): StudyDirection => d.toUpperCase() as StudyDirection;

/**
 * The entry point (Optuna's `optuna` module): create, load, list and delete studies on one
 * server.
 *
 *   const gt = new Graphtune({ url: "http://127.0.0.1:4000/graphql" });
 *   const study = await gt.createStudy({ name: "mlp", sampler: { type: "TPE" }, searchSpace: [...] });
 *   await study.optimize(async (trial) => ..., { nTrials: 100, concurrency: 4 });
 */
export class Graphtune {
  /** The GraphQL transport, for operations the Optuna-style layer does not cover. */
  readonly client: GraphtuneClient;
  private readonly live: LiveConnection;

  constructor(options: GraphtuneOptions) {
    this.client = new GraphtuneClient(options);
    this.live = new LiveConnection(options.url, options.apiKey, options.live);
  }

  async createStudy(options: CreateStudyOptions): Promise<Study> {
    const directions = options.directions ?? [options.direction ?? "minimize"];
    const input: CreateStudyInput = {
      name: options.name,
      directions: directions.map(upper),
      sampler: options.sampler ?? null,
      pruner: options.pruner ?? null,
      searchSpace: options.searchSpace ?? null,
      objectiveMetric: options.objectiveMetric ?? null,
      userAttrs: options.userAttrs ?? null,
      loadIfExists: options.loadIfExists ?? false,
      project: options.project ?? null,
    };
    // With loadIfExists a repeated create is harmless, so it may be retried like a query.
    const { createStudy } = await this.client.request(CreateStudyDocument, { input }, { idempotent: input.loadIfExists === true });
    return new Study(this.client, this.live, createStudy);
  }

  /** The study of that name (Optuna's `load_study`), or of that id with `{ id }`; `project` names another project than "default". */
  async loadStudy(which: string | { name?: string; id?: string; project?: string }): Promise<Study> {
    const by = typeof which === "string" ? { name: which } : which;
    const { study } = await this.client.request(GetStudyDocument, { id: by.id ?? null, name: by.name ?? null, project: by.project ?? null });
    if (!study) {
      throw new NotFoundError(`study ${JSON.stringify(by.name ?? by.id)} does not exist; check the name, or create it with createStudy.`, "NOT_FOUND", by.id ? "id" : "name");
    }
    return new Study(this.client, this.live, study);
  }

  /** Every study, or those whose name contains `nameContains`. */
  async getAllStudies(options: { nameContains?: string } = {}): Promise<Study[]> {
    const studies: Study[] = [];
    let after: string | null = null;
    for (;;) {
      const page: ListStudiesQuery["studies"] = (await this.client.request(ListStudiesDocument, { first: 1000, after, nameContains: options.nameContains ?? null })).studies;
      for (const edge of page.edges) studies.push(new Study(this.client, this.live, edge.node));
      if (!page.pageInfo.hasNextPage) return studies;
      after = page.pageInfo.endCursor;
    }
  }

  /** Deletes a study with its trials and metrics; false when there was none of that name. */
  async deleteStudy(which: string | { name?: string; id?: string }): Promise<boolean> {
    let id = typeof which === "string" ? undefined : which.id;
    if (!id) {
      const name = typeof which === "string" ? which : which.name;
      const { study } = await this.client.request(GetStudyDocument, { id: null, name: name ?? null });
      if (!study) return false;
      id = study.id;
    }
    return (await this.client.request(DeleteStudyDocument, { id })).deleteStudy;
  }

  /** A search by id (startSearch on a Study starts one). */
  async getSearch(id: string): Promise<Search> {
    const { search } = await this.client.request(GetSearchDocument, { id });
    if (!search) throw new NotFoundError(`search ${JSON.stringify(id)} does not exist; check the id.`, "NOT_FOUND", "id");
    return new Search(this.client, this.live, search);
  }

  /** The executors the server has seen recently: host, device, backend, the trial each runs. */
  async executors(options: { includeGone?: boolean } = {}): Promise<ListExecutorsQuery["executors"]> {
    return (await this.client.request(ListExecutorsDocument, { includeGone: options.includeGone ?? false })).executors;
  }

  /** Closes the WebSocket the watches share (HTTP needs no closing). */
  async close(): Promise<void> {
    await this.live.close();
  }
}
