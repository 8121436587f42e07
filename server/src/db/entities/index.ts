import { MetricPointEntity } from "./metricPoint";
import { MetricSeriesEntity } from "./metricSeries";
import { ProjectEntity } from "./project";
import { StudyEntity } from "./study";
import { TrialEntity } from "./trial";

export { MetricPointEntity, MetricSeriesEntity, ProjectEntity, StudyEntity, TrialEntity };
export const entities = [ProjectEntity, StudyEntity, TrialEntity, MetricSeriesEntity, MetricPointEntity];
