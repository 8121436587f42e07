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
 * Reads a learning-rate suggestion off a range test's curve (per step, the learning rate and the
 * smoothed loss), as fastai's "steep" suggestion does: the learning rate where the smoothed loss
 * falls fastest against log(learning rate), before its minimum. The moving average lags the
 * sweep, yet attributing each smoothed value to the centre of the steps it averages made the
 * suggestion one to three decades too small on the built-in data sets: the loss falls fastest in
 * the newest steps of the window, which weigh most.
 */
export function suggestLearningRate(learningRates: number[], smoothedLosses: number[]): LrSuggestion | null {
  const n = smoothedLosses.length;
  if (n < 5) return null;
  const logLr = learningRates.map(Math.log);
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
