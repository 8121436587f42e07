/** What the range test concludes from its smoothed loss curve. */
export interface LrSuggestion {
  /** Where the smoothed loss falls fastest against log(learning rate). */
  suggestedLearningRate: number;
  /** About a decade around it, ending no later than the learning rate of the lowest loss. */
  suggestedRange: [number, number];
  lossAtSuggested: number;
  /** The learning rate of the lowest smoothed loss. */
  minLossLearningRate: number;
}

/**
 * Reads a learning-rate suggestion off a range test's curve: per step, the learning rate and the
 * bias-corrected exponential moving average of the loss with weight `smoothing` on the past.
 *
 * The average lags: at step i it describes the steps behind it, whose weighted centre is several
 * steps back, where the learning rate was smaller. Each smoothed value is therefore attributed to
 * the learning rate at that centre, or the suggestion would come out far too high (with 0.98 over
 * 100 steps, the lag is tens of steps, one to two decades of a sweep over six).
 */
export function suggestLearningRate(learningRates: number[], smoothedLosses: number[], smoothing: number): LrSuggestion | null {
  const n = smoothedLosses.length;
  if (n < 5) return null;
  const logLr = centredLogLearningRates(learningRates, smoothing);
  let iMin = 0;
  for (let i = 1; i < n; i++) if (smoothedLosses[i] < smoothedLosses[iMin]) iMin = i;
  // The first steps barely move the weights and the average is noisy; differences span a few steps.
  const skip = Math.min(Math.floor(n / 10), 10);
  const span = Math.max(1, Math.round(n / 50));
  let steepest = -1;
  let slope = Infinity;
  for (let i = Math.max(skip, span); i + span < n && i <= iMin; i++) {
    const s = (smoothedLosses[i + span] - smoothedLosses[i - span]) / (logLr[i + span] - logLr[i - span]);
    if (s < slope) {
      slope = s;
      steepest = i;
    }
  }
  if (steepest < 0) steepest = iMin;
  const suggested = Math.exp(logLr[steepest]);
  const minLossLr = Math.exp(logLr[iMin]);
  const high = Math.max(suggested, Math.min(suggested * Math.sqrt(10), minLossLr));
  return {
    suggestedLearningRate: suggested,
    suggestedRange: [suggested / Math.sqrt(10), high],
    lossAtSuggested: smoothedLosses[steepest],
    minLossLearningRate: minLossLr,
  };
}

/** log(learning rate) at the weighted centre of the steps each smoothed value averages. */
function centredLogLearningRates(learningRates: number[], smoothing: number): number[] {
  const logs = learningRates.map(Math.log);
  const out: number[] = [];
  let weighted = 0;
  let total = 0;
  for (let i = 0; i < logs.length; i++) {
    weighted = smoothing * weighted + (1 - smoothing) * logs[i];
    total = smoothing * total + (1 - smoothing);
    out.push(total > 0 ? weighted / total : logs[i]);
  }
  return out;
}
