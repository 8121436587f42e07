import { MetricPointEntity } from "./metricPoint";
import { MetricSeriesEntity } from "./metricSeries";
import { ExecutorEntity } from "./executor";
import { ProjectEntity } from "./project";
import { SearchEntity } from "./search";
import { StudyEntity } from "./study";
import { TrialEntity } from "./trial";

export { ExecutorEntity, MetricPointEntity, MetricSeriesEntity, ProjectEntity, SearchEntity, StudyEntity, TrialEntity };
export const entities = [ProjectEntity, StudyEntity, TrialEntity, MetricSeriesEntity, MetricPointEntity, SearchEntity, ExecutorEntity];
