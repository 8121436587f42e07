import type { Logger } from "../logging";
import type { EventBus } from "./eventBus";
import type { BusMessage, DomainEvent } from "./events";

/** The topics a stream can follow; each event goes to the few topics it concerns. */
export const topics = {
  /** Trial changes of a study. */
  studyTrials: (studyId: string) => `trials/${studyId}`,
  /** Metric reports of a study's trials. */
  studyMetrics: (studyId: string) => `metrics/study/${studyId}`,
  /** Metric reports of one trial. */
  trialMetrics: (trialId: string) => `metrics/trial/${trialId}`,
  /** Changes of one trial and instructions to its executor. */
  trial: (trialId: string) => `trial/${trialId}`,
};

export type HubListener = (message: BusMessage) => void;

function topicsOf(event: DomainEvent): string[] {
  switch (event.type) {
    case "trialChanged":
      return [topics.studyTrials(event.trial.studyId), topics.trial(event.trial.id)];
    case "metricsReported":
      return [topics.studyMetrics(event.studyId), topics.trialMetrics(event.trialId)];
    case "trialControl":
      return [topics.trial(event.trialId)];
  }
}

/**
 * The fan-out inside one process: one bus listener, and a map from topic to the streams that follow
 * it, so an event costs a lookup per topic whatever the number of streams. Gap notices go to every
 * stream.
 */
export class EventHub {
  private readonly byTopic = new Map<string, Set<HubListener>>();
  private readonly stopBus: () => void;

  constructor(
    bus: EventBus,
    private readonly logger?: Logger,
  ) {
    this.stopBus = bus.subscribe((message) => this.dispatch(message));
  }

  /** Follows a topic from now on; returns the function that stops following. */
  subscribe(topic: string, listener: HubListener): () => void {
    let set = this.byTopic.get(topic);
    if (!set) {
      set = new Set();
      this.byTopic.set(topic, set);
    }
    set.add(listener);
    return () => {
      const current = this.byTopic.get(topic);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) this.byTopic.delete(topic);
    };
  }

  /** How many topics have followers (for tests and metrics). */
  get topicCount(): number {
    return this.byTopic.size;
  }

  close(): void {
    this.stopBus();
    this.byTopic.clear();
  }

  private dispatch(message: BusMessage): void {
    if (message.type === "gap") {
      const all = new Set<HubListener>();
      for (const set of this.byTopic.values()) for (const l of set) all.add(l);
      for (const l of all) this.call(l, message);
      return;
    }
    for (const topic of topicsOf(message)) {
      const set = this.byTopic.get(topic);
      if (set) for (const l of set) this.call(l, message);
    }
  }

  private call(listener: HubListener, message: BusMessage): void {
    try {
      listener(message);
    } catch (error) {
      this.logger?.error("a stream failed to take an event", { error, event: message.type });
    }
  }
}
