import type { TrialRow } from "../api/types";
import { ACCENT, STATE_COLORS } from "../ui/colors";
import { formatNumber } from "../ui/format";
import { UplotChart, axes, dots, uPlot } from "./uplotChart";

/**
 * Optimisation history: each trial's value by trial number (COMPLETE and PRUNED, coloured by
 * state) and the best value so far as a step line. Click a dot to open its trial.
 */
export class HistoryChart {
  private readonly chart: UplotChart;
  private numbers: number[] = [];
  private ids: string[] = [];

  constructor(container: HTMLElement, objectiveTitle: string, private readonly onOpen: (trialId: string) => void) {
    this.chart = new UplotChart(container, (width) => ({
      width,
      height: 300,
      scales: { x: { time: false } },
      axes: axes("trial number", objectiveTitle),
      legend: { show: true },
      cursor: { points: { size: 8 }, drag: { x: true, y: false } },
      series: [
        { label: "trial", value: (_u, v) => (v == null ? "–" : `#${v}`) },
        { ...dots("complete", STATE_COLORS.COMPLETE), value: (_u, v) => formatNumber(v) },
        { ...dots("pruned", STATE_COLORS.PRUNED), value: (_u, v) => formatNumber(v) },
        { label: "best so far", stroke: ACCENT, width: 2, spanGaps: true, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false }, value: (_u, v) => formatNumber(v) },
      ],
      hooks: {
        ready: [
          (u) =>
            u.over.addEventListener("click", () => {
              const idx = u.cursor.idx;
              if (idx != null && this.ids[idx]) this.onOpen(this.ids[idx]);
            }),
        ],
      },
    }));
  }

  /** Draws trials (any order); `objective` picks the value of multi-objective studies, `showBest` the step line. */
  update(trials: TrialRow[], direction: "MINIMIZE" | "MAXIMIZE", objective = 0, showBest = true): void {
    const shown = trials.filter((t) => (t.state === "COMPLETE" || t.state === "PRUNED") && t.values && Number.isFinite(t.values[objective]));
    shown.sort((a, b) => a.number - b.number);
    const n = shown.length;
    const x = new Array<number>(n);
    const complete = new Array<number | null>(n);
    const pruned = new Array<number | null>(n);
    const best = new Array<number | null>(n);
    this.ids = new Array<string>(n);
    let bestSoFar: number | null = null;
    for (let i = 0; i < n; i++) {
      const t = shown[i];
      const v = t.values![objective];
      x[i] = t.number;
      this.ids[i] = t.id;
      complete[i] = t.state === "COMPLETE" ? v : null;
      pruned[i] = t.state === "PRUNED" ? v : null;
      if (t.state === "COMPLETE" && (bestSoFar === null || (direction === "MINIMIZE" ? v < bestSoFar : v > bestSoFar))) bestSoFar = v;
      // One objective's best says little when trials trade objectives off: drawn for single objectives only.
      best[i] = showBest ? bestSoFar : null;
    }
    this.numbers = x;
    this.chart.setData([x, complete, pruned, best]);
  }

  get pointCount(): number {
    return this.numbers.length;
  }

  destroy(): void {
    this.chart.destroy();
  }
}
