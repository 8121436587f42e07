import { BadUserInputError, NotFoundError } from "../errors";
import type { Logger } from "../logging";
import type { TrialRecord } from "../studies/records";
import type { StudyService } from "../studies/studyService";
import type { TrialQueries } from "../studies/trialQueries";
import type { TrialService } from "../studies/trialService";
import type { EventBus } from "./eventBus";
import { EventHub } from "./eventHub";
import type { MetricBatchPayload } from "./metricBatch";
import { decodeMetricCursor } from "./metricCursor";
import { MetricStream, type MetricStreamOptions } from "./metricStream";
import type { StreamQueries } from "./streamQueries";
import { StudyProgressStreams, type StudyProgressOptions, type StudyProgressPayload } from "./studyProgressStream";
import { trialControlStream, type TrialControlSignal } from "./trialControlStream";
import { trialUpdatedStream, type TrialUpdatedStreamOptions } from "./trialUpdatedStream";

export interface LiveStreamOptions {
  metrics?: MetricStreamOptions;
  trialUpdated?: TrialUpdatedStreamOptions;
  progress?: StudyProgressOptions;
}

export interface MetricsRequest {
  studyId?: string | null;
  trialId?: string | null;
  /** A MetricBatch cursor: replay what was stored after that batch first. */
  after?: string | null;
  /** Replay stored points above this step first. */
  afterStep?: number | null;
}

interface StreamServices {
  studies: Pick<StudyService, "find">;
  trials: Pick<TrialService, "find">;
  trialQueries: Pick<TrialQueries, "countsByState" | "bestOfStudies">;
}

/**
 * The subscriptions one server process serves: each call checks its arguments (NOT_FOUND,
 * BAD_USER_INPUT, as queries do) and returns the stream; resolvers stay thin.
 */
export class LiveStreams {
  readonly hub: EventHub;
  private readonly progress: StudyProgressStreams;

  constructor(
    bus: EventBus,
    private readonly queries: StreamQueries,
    private readonly services: StreamServices,
    private readonly options: LiveStreamOptions = {},
    logger?: Logger,
  ) {
    this.hub = new EventHub(bus, logger);
    this.progress = new StudyProgressStreams(this.hub, services.trialQueries, options.progress);
  }

  async trialUpdated(studyId: string): Promise<AsyncIterableIterator<TrialRecord>> {
    const stream = trialUpdatedStream(this.hub, studyId, this.options.trialUpdated);
    await this.closeOnError(stream, () => this.studyExists(studyId));
    return stream;
  }

  async metricsReported(request: MetricsRequest): Promise<AsyncIterableIterator<MetricBatchPayload>> {
    const { studyId, trialId } = request;
    if (!studyId && !trialId) throw new BadUserInputError("give studyId (every trial of a study) or trialId (one trial).", "studyId");
    if (request.afterStep != null && (!Number.isInteger(request.afterStep) || request.afterStep < -1)) {
      throw new BadUserInputError(`afterStep must be an integer of at least -1 (got ${request.afterStep}).`, "afterStep");
    }
    const after = request.after ? decodeMetricCursor(request.after) : null;
    let scopeStudy = studyId ?? null;
    if (trialId) {
      const trial = await this.services.trials.find(trialId);
      if (!trial) throw new NotFoundError("trial", trialId);
      if (studyId && trial.studyId !== studyId) {
        throw new BadUserInputError(`trial ${trialId} belongs to study ${trial.studyId}, not ${studyId}; give one of the two.`, "trialId");
      }
      scopeStudy = trial.studyId;
    } else {
      await this.studyExists(studyId!);
    }
    const position = after || request.afterStep != null ? { after, afterStep: request.afterStep ?? null } : null;
    return new MetricStream(this.hub, this.queries, { studyId: scopeStudy, trialId: trialId ?? null }, position, this.options.metrics);
  }

  trialControl(trialId: string): Promise<AsyncIterableIterator<TrialControlSignal>> {
    return trialControlStream(this.hub, trialId, async (id) => {
      const trial = await this.services.trials.find(id);
      if (!trial) throw new NotFoundError("trial", id);
      return trial;
    });
  }

  async studyProgress(studyId: string): Promise<AsyncIterableIterator<StudyProgressPayload>> {
    await this.studyExists(studyId);
    return this.progress.subscribe(studyId);
  }

  /** Ends every stream (their clients see them complete) and stops following the bus. */
  close(): void {
    this.progress.close();
    this.hub.close();
  }

  private async studyExists(studyId: string): Promise<void> {
    if (!(await this.services.studies.find(studyId))) throw new NotFoundError("study", studyId);
  }

  private async closeOnError(stream: AsyncIterableIterator<unknown>, check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      await stream.return?.();
      throw error;
    }
  }
}
