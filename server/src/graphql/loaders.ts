import DataLoader from "dataloader";
import type { Services } from "../services";
import type { TrialState } from "../optimization";
import type { SeriesRecord, StoredPoint } from "../studies/metricService";
import type { StudyRecord, TrialRecord } from "../studies/records";
import type { SearchTrialCounts } from "../studies/searchService";
import { pageKey, type TrialPageRequest } from "../studies/trialQueries";

/**
 * Per-request batching: a dashboard that asks for 100 trials with their curves costs a handful of
 * queries, not hundreds. Loaders whose query depends on field arguments are made per argument set.
 */
export class Loaders {
  private readonly byArgs = new Map<string, DataLoader<any, any>>();

  constructor(private readonly services: Services) {}

  // Made on first use: most requests (ask, report, tell) need none of them.
  get study(): DataLoader<string, StudyRecord | null> {
    return this.forArgs("study", () =>
      new DataLoader<string, StudyRecord | null>(async (ids) => {
        const found = await this.services.studies.findMany(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
  }

  get trial(): DataLoader<string, TrialRecord | null> {
    return this.forArgs("trial", () =>
      new DataLoader<string, TrialRecord | null>(async (ids) => {
        const found = await this.services.trialQueries.findMany(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
  }

  get trialCounts(): DataLoader<string, Partial<Record<TrialState, number>>> {
    return this.forArgs("trialCounts", () =>
      new DataLoader<string, Partial<Record<TrialState, number>>>(async (ids) => {
        const found = await this.services.trialQueries.countsByState(ids);
        return ids.map((id) => found.get(id) ?? {});
      }),
    );
  }

  get lastActivity(): DataLoader<string, Date | null> {
    return this.forArgs("lastActivity", () =>
      new DataLoader<string, Date | null>(async (ids) => {
        const found = await this.services.trialQueries.lastActivity(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
  }

  get bestTrial(): DataLoader<string, TrialRecord | null> {
    return this.forArgs("bestTrial", () =>
      new DataLoader<string, TrialRecord | null>(async (ids) => {
        const found = await this.services.trialQueries.bestOfStudies(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
  }

  get intermediateValues(): DataLoader<string, StoredPoint[]> {
    return this.forArgs("intermediateValues", () =>
      new DataLoader<string, StoredPoint[]>(async (ids) => {
        const found = await this.services.metrics.intermediateValuesOfTrials(ids);
        return ids.map((id) => found.get(id) ?? []);
      }),
    );
  }

  /** The trial each executor runs now. */
  get executorTrial(): DataLoader<string, TrialRecord | null> {
    return this.forArgs("executorTrial", () =>
      new DataLoader<string, TrialRecord | null>(async (ids) => {
        const found = await this.services.executors.currentTrials(ids);
        return ids.map((id) => found.get(id) ?? null);
      }),
    );
  }

  /** Trial counts of searches, by state. */
  get searchCounts(): DataLoader<string, SearchTrialCounts> {
    return this.forArgs("searchCounts", () =>
      new DataLoader<string, SearchTrialCounts>(async (ids) => {
        const found = await this.services.searches.countsOfSearches(ids);
        return ids.map((id) => found.get(id)!);
      }),
    );
  }

  /** Trial pages of many studies sharing one page size and state filter. */
  trialPages(limit: number, states: TrialState[] | null): DataLoader<TrialPageRequest, TrialRecord[], string> {
    return this.forArgs(`pages:${limit}:${states?.join(",") ?? ""}`, () =>
      new DataLoader<TrialPageRequest, TrialRecord[], string>(
        async (requests) => {
          const found = await this.services.trialQueries.pages(requests, limit, states);
          return requests.map((r) => found.get(pageKey(r)) ?? []);
        },
        { cacheKeyFn: pageKey },
      ),
    );
  }

  /** Metric series of many trials sharing one name filter and downsampling. */
  metrics(names: string[] | null, maxPoints: number | null): DataLoader<string, SeriesRecord[]> {
    return this.forArgs(`metrics:${JSON.stringify(names)}:${maxPoints}`, () =>
      new DataLoader<string, SeriesRecord[]>(async (ids) => {
        const found = await this.services.metrics.seriesOfTrials(ids, names, maxPoints);
        return ids.map((id) => found.get(id) ?? []);
      }),
    );
  }

  private forArgs<L extends DataLoader<any, any, any>>(key: string, make: () => L): L {
    let loader = this.byArgs.get(key) as L | undefined;
    if (!loader) {
      loader = make();
      this.byArgs.set(key, loader);
    }
    return loader;
  }
}
