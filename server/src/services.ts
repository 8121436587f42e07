import { AccessService } from "./auth/accessService";
import { Authenticator, type AuthenticatorOptions } from "./auth/authenticator";
import type { Database } from "./db/database";
import { EventBusKind, LiveStreams, MemoryEventBus, PostgresEventBus, StreamQueries, type EventBus, type LiveStreamOptions } from "./events";
import type { Logger } from "./logging";
import { taskCatalog } from "./executors/tasks/catalog";
import { AnnotationService } from "./studies/annotationService";
import { ComparisonService } from "./studies/comparisonService";
import { ExecutorService } from "./studies/executorService";
import { ExportService } from "./studies/export/exportService";
import { MetricService } from "./studies/metricService";
import { SearchService } from "./studies/searchService";
import { SearchSweeper } from "./studies/searchSweeper";
import { StudyService } from "./studies/studyService";
import { TrialQueries } from "./studies/trialQueries";
import { TrialHistory } from "./studies/trialHistory";
import { TrialService } from "./studies/trialService";

/** The domain services one server process uses; resolvers reach them through the context. */
export interface Services {
  db: Database;
  studies: StudyService;
  trials: TrialService;
  trialQueries: TrialQueries;
  metrics: MetricService;
  searches: SearchService;
  executors: ExecutorService;
  /** Tags and notes on studies and trials. */
  annotations: AnnotationService;
  /** compareStudies and compareTrials. */
  comparison: ComparisonService;
  /** Study export (JSON, CSV) and import. */
  studyExport: ExportService;
  /** Expires leases and ends searches; started by whoever runs the server (`sweeper.start()`). */
  sweeper: SearchSweeper;
  /** Where services publish after commits; started and closed with the HTTP server. */
  events: EventBus;
  /** The subscriptions' streams, fed by `events`. */
  streams: LiveStreams;
  /** Projects, users, memberships and API keys. */
  access: AccessService;
  /** Turns a request's API key into its caller. */
  auth: Authenticator;
}

export interface ServicesOptions {
  /**
   * The event bus. Default: in-process (`{ kind: "memory" }`), right for one server process. With
   * several replicas on one database: `{ kind: "postgres", url }` (LISTEN/NOTIFY on `channel`,
   * default "graphtune_events").
   */
  events?: { kind: EventBusKind.Memory } | { kind: EventBusKind.Postgres; url: string; channel?: string };
  /** Buffer sizes and intervals of the streams; see LiveStreamOptions for defaults. */
  streams?: LiveStreamOptions;
  /** Hears of event-bus trouble; default: none. */
  logger?: Logger;
  /** Seconds without a heartbeat after which a search trial fails; default 30. */
  leaseSeconds?: number;
  /** Whether callers need API keys; default auto (see AuthenticatorOptions). */
  auth?: AuthenticatorOptions;
}

export function createServices(db: Database, options: ServicesOptions = {}): Services {
  const history = new TrialHistory();
  const trialQueries = new TrialQueries(db);
  const queries = new StreamQueries(db, trialQueries);
  const config = options.events ?? { kind: EventBusKind.Memory };
  const events: EventBus =
    config.kind === EventBusKind.Postgres
      ? new PostgresEventBus({
          url: config.url,
          channel: config.channel,
          logger: options.logger,
          resolveReference: (reference) => queries.resolveReference(reference),
        })
      : new MemoryEventBus(options.logger);
  const studies = new StudyService(db);
  const trials = new TrialService(db, history, events);
  const searches = new SearchService(db, taskCatalog, events);
  const executors = new ExecutorService(db, trials, searches, { leaseSeconds: options.leaseSeconds });
  trials.onSearchTrialFinished = (trial) => {
    searches.settle(trial.searchId!).catch((error: Error) => options.logger?.warn("search settle failed", { error: error.message }));
  };
  const access = new AccessService(db);
  return {
    db,
    studies,
    trials,
    trialQueries,
    metrics: new MetricService(db, history, events),
    searches,
    executors,
    annotations: new AnnotationService(db, trials),
    comparison: new ComparisonService(db),
    studyExport: new ExportService(db, studies),
    sweeper: new SearchSweeper(searches, executors, options.logger),
    events,
    streams: new LiveStreams(events, queries, { studies, trials, trialQueries }, options.streams, options.logger),
    access,
    auth: new Authenticator(db, access, options.auth),
  };
}
