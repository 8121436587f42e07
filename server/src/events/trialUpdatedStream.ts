import type { TrialRecord } from "../studies/records";
import { BoundedQueue } from "./boundedQueue";
import { topics, type EventHub } from "./eventHub";
import { SubscriberTooSlowError } from "./subscriberTooSlowError";

export interface TrialUpdatedStreamOptions {
  /**
   * Trials with an update waiting for a slow subscriber, at most; default 10,000. Updates of one
   * trial coalesce (its latest state replaces the one waiting), so this bounds memory by the number
   * of distinct trials, not of updates. Past it the stream ends with SubscriberTooSlowError.
   */
  maxPendingTrials?: number;
}

/**
 * trialUpdated: every change of the study's trials from now on, in commit order. After an event-bus
 * reconnect, changes made meanwhile are not re-sent (the current states are in the query API).
 */
export function trialUpdatedStream(hub: EventHub, studyId: string, options: TrialUpdatedStreamOptions = {}): AsyncIterableIterator<TrialRecord> {
  const limit = options.maxPendingTrials ?? 10_000;
  const queue: BoundedQueue<TrialRecord> = new BoundedQueue<TrialRecord>({
    capacity: limit,
    keyOf: (trial) => trial.id,
    onClose: () => stop(),
  });
  const stop = hub.subscribe(topics.studyTrials(studyId), (message) => {
    if (message.type === "trialChanged" && !queue.push(message.trial)) {
      queue.fail(new SubscriberTooSlowError("trials with unread updates", limit));
    }
  });
  return queue;
}
