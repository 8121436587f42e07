import { MetricArchiveEntity } from "./metricArchive";
import { MetricPointEntity } from "./metricPoint";
import { MetricSeriesEntity } from "./metricSeries";
import { ExecutorEntity } from "./executor";
import { ProjectEntity } from "./project";
import { SearchEntity } from "./search";
import { StudyEntity } from "./study";
import { TrialEntity } from "./trial";
import { UserEntity } from "./user";
import { MembershipEntity } from "./membership";
import { ApiKeyEntity } from "./apiKey";

export { ExecutorEntity, MetricArchiveEntity, MetricPointEntity, MetricSeriesEntity, ProjectEntity, SearchEntity, StudyEntity, TrialEntity, UserEntity, MembershipEntity, ApiKeyEntity };
export const entities = [ProjectEntity, StudyEntity, TrialEntity, MetricSeriesEntity, MetricPointEntity, MetricArchiveEntity, SearchEntity, ExecutorEntity, UserEntity, MembershipEntity, ApiKeyEntity];
