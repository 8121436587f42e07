import { openDatabase } from "../../server/src/db/dataSource";
import { Database } from "../../server/src/db/database";
import { EventBusKind, type EventBus } from "../../server/src/events/eventBus";
import { createServices, type Services } from "../../server/src/services";
import type { CreateStudyRequest } from "../../server/src/studies/studyService";
import type { GraphqlClient } from "./graphqlClient";

/** What a training script does with a study, whichever way it reaches the service. */
export interface TrialApi {
  createStudy(input: CreateStudyRequest): Promise<string>;
  /** Starts a trial; `lr` is its sampled learning rate (the value the bench tells). */
  ask(studyId: string): Promise<{ id: string; lr: number }>;
  report(trialId: string, points: { step: number; value: number }[]): Promise<void>;
  tell(trialId: string, values: number[]): Promise<void>;
}

const CREATE = `mutation($input: CreateStudyInput!) { createStudy(input: $input) { id } }`;
const ASK = `mutation($s: ID!) { askTrial(studyId: $s) { id number params } }`;
const REPORT = `mutation($t: ID!, $p: [MetricPointInput!]!) { reportMetrics(trialId: $t, points: $p) { shouldPrune } }`;
const TELL = `mutation($t: ID!, $v: [Float!]) { tellTrial(trialId: $t, state: COMPLETE, values: $v) { number } }`;

/** The service as clients reach it: GraphQL over HTTP. */
export function graphqlTrialApi(client: GraphqlClient): TrialApi {
  return {
    createStudy: async (input) => (await client.request(CREATE, { input })).createStudy.id,
    ask: async (studyId) => {
      const trial = (await client.request(ASK, { s: studyId })).askTrial;
      return { id: trial.id, lr: trial.params.lr };
    },
    report: async (trialId, points) => {
      await client.request(REPORT, { t: trialId, p: points });
    },
    tell: async (trialId, values) => {
      await client.request(TELL, { t: trialId, v: values });
    },
  };
}

/**
 * The same service layer the server runs (same statements, same event bus kind), called in this
 * process without HTTP or GraphQL: what any API in front of this storage could reach at best.
 * Migrates the database first, as a server does at start-up.
 */
export async function inProcessTrialApi(databaseUrl: string): Promise<TrialApi & { events: EventBus; close(): Promise<void> }> {
  await (await openDatabase(databaseUrl)).destroy();
  const db = new Database(databaseUrl);
  // A server on an external database publishes its events through PostgreSQL, as the bench's does.
  const services: Services = createServices(db, { events: { kind: EventBusKind.Postgres, url: databaseUrl } });
  await services.events.start();
  return {
    events: services.events,
    createStudy: async (input) => (await services.studies.create(input)).id,
    ask: async (studyId) => {
      const trial = await services.trials.ask(studyId);
      return { id: trial.id, lr: (trial.params as Record<string, number>).lr };
    },
    report: async (trialId, points) => {
      await services.metrics.report(trialId, points);
    },
    tell: async (trialId, values) => {
      await services.trials.tell(trialId, "COMPLETE", values);
    },
    close: async () => {
      await services.events.close();
      await db.close();
    },
  };
}
