import type { Database } from "./db/database";
import { MetricService } from "./studies/metricService";
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
}

export function createServices(db: Database): Services {
  const history = new TrialHistory();
  return {
    db,
    studies: new StudyService(db),
    trials: new TrialService(db, history),
    trialQueries: new TrialQueries(db),
    metrics: new MetricService(db, history),
  };
}
