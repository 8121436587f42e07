import type { TrialState } from "../optimization";
import type { TrialRecord } from "../studies/records";
import { BoundedQueue } from "./boundedQueue";
import { topics, type EventHub } from "./eventHub";
import { FINISHED_STATES, type BusMessage, type TrialControlAction } from "./events";

/** One instruction to the executor of a trial. */
export interface TrialControlSignal {
  trialId: string;
  action: TrialControlAction;
  reason: string | null;
  /** The trial's state when the signal was sent (RUNNING when the pruner said prune before the tell). */
  state: TrialState;
}

/** The signal a finished trial gives its executor: PRUNED says prune, COMPLETE or FAIL say stop. */
function finalSignal(trial: TrialRecord): TrialControlSignal {
  const action: TrialControlAction = trial.state === "PRUNED" ? "PRUNE" : "STOP";
  const reason = trial.state === "PRUNED" ? trial.pruneReason : `trial ${trial.number} was finished as ${trial.state}`;
  return { trialId: trial.id, action, reason, state: trial.state };
}

/**
 * trialControl: what the executor running a trial must hear. It starts with the trial's current
 * standing (a finished trial gives its final signal at once; a running one whose pruner already
 * said prune gives PRUNE), then follows: prune decisions of the pruner, pruneTrial, a tell from
 * elsewhere, and (once searches exist) CANCEL when the trial's search is cancelled. Only the latest
 * signal waits for a slow reader. The stream ends after the trial's final signal.
 *
 * `load` reads the trial after the stream follows its topic, so no signal falls in between.
 */
export async function trialControlStream(
  hub: EventHub,
  trialId: string,
  load: (trialId: string) => Promise<TrialRecord>,
): Promise<AsyncIterableIterator<TrialControlSignal>> {
  let last = "";
  const queue: BoundedQueue<TrialControlSignal> = new BoundedQueue<TrialControlSignal>({
    capacity: 1,
    keyOf: () => "latest",
    onClose: () => stop(),
  });
  const send = (signal: TrialControlSignal, final: boolean) => {
    const key = `${signal.action}/${signal.state}/${signal.reason}`;
    if (key !== last) {
      last = key;
      queue.push(signal);
    }
    if (final) queue.end();
  };
  const take = (message: BusMessage) => {
    if (message.type === "trialChanged" && FINISHED_STATES.includes(message.trial.state)) {
      send(finalSignal(message.trial), true);
    } else if (message.type === "trialControl") {
      send({ trialId, action: message.action, reason: message.reason, state: "RUNNING" }, false);
    }
  };
  const stop = hub.subscribe(topics.trial(trialId), take);
  try {
    const trial = await load(trialId);
    if (FINISHED_STATES.includes(trial.state)) send(finalSignal(trial), true);
    else if (trial.state === "RUNNING" && trial.pruneReason) send({ trialId, action: "PRUNE", reason: trial.pruneReason, state: "RUNNING" }, false);
  } catch (error) {
    await queue.return();
    throw error;
  }
  return queue;
}
