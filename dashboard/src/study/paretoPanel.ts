import { query } from "../api/connection";
import { PARETO } from "../api/queries";
import type { TrialRow } from "../api/types";
import { ScatterChart } from "../charts/scatterChart";
import { scaleFor } from "../charts/scale";
import { fill, h, note } from "../ui/dom";
import { formatValues } from "../ui/format";

const FRONT = "#dc2626";
const OTHER = "#94a3b8";

/**
 * The Pareto front of a multi-objective study: every finished trial by two of its objectives,
 * the front (Study.bestTrials, computed by the server) in red and joined by a line.
 */
export class ParetoPanel {
  readonly el = h("div", {});
  private readonly chartBox = h("div", {});
  private readonly xSelect: HTMLSelectElement;
  private readonly ySelect: HTMLSelectElement;
  private readonly chart: ScatterChart<TrialRow>;
  private front = new Set<string>();
  private trials: TrialRow[] = [];

  constructor(
    private readonly studyId: string,
    private readonly titles: string[],
    onOpen: (trialId: string) => void,
  ) {
    const select = (chosen: number, label: string) =>
      h("select", { "aria-label": label, onchange: () => this.draw() }, titles.map((t, i) => h("option", { value: i, selected: i === chosen }, t))) as HTMLSelectElement;
    this.xSelect = select(0, "x objective");
    this.ySelect = select(1, "y objective");
    fill(this.el, h("div", { class: "toolbar" }, h("label", { class: "inline" }, "x ", this.xSelect), h("label", { class: "inline" }, "y ", this.ySelect), h("span", { class: "legend-item" }, h("i", { style: `background:${FRONT}` }), "Pareto front"), h("span", { class: "legend-item" }, h("i", { style: `background:${OTHER}` }), "dominated")), this.chartBox);
    this.chart = new ScatterChart<TrialRow>(this.chartBox, 360, (t) => `trial #${t.number}${this.front.has(t.id) ? " (on the front)" : ""}: ${formatValues(t.values)}`, (t) => onOpen(t.id));
  }

  /** Asks the server for the front again, then redraws. */
  async refresh(trials: TrialRow[]): Promise<void> {
    this.trials = trials.filter((t) => t.state === "COMPLETE" && t.values && t.values.length === this.titles.length);
    try {
      const data = await query<{ study: { bestTrials: { id: string }[] } | null }>(PARETO, { id: this.studyId });
      this.front = new Set(data.study?.bestTrials.map((t) => t.id) ?? []);
    } catch (error) {
      this.chartBox.prepend(note(`The Pareto front could not be loaded: ${(error as Error).message}`, "error"));
    }
    this.draw();
  }

  private draw(): void {
    const xi = Number(this.xSelect.value);
    const yi = Number(this.ySelect.value);
    const points = this.trials.map((t) => ({ x: t.values![xi], y: t.values![yi], color: this.front.has(t.id) ? FRONT : OTHER, item: t }));
    // Dominated first so the front is drawn on top.
    points.sort((a, b) => Number(a.color === FRONT) - Number(b.color === FRONT));
    const line = points.filter((p) => p.color === FRONT).map((p): [number, number] => [p.x, p.y]).sort((a, b) => a[0] - b[0]);
    this.chart.draw(points, {
      xScale: scaleFor(points.map((p) => p.x)),
      yScale: scaleFor(points.map((p) => p.y)),
      xTitle: this.titles[xi],
      yTitle: this.titles[yi],
      line: { points: line, color: FRONT },
      radius: 3.5,
    });
  }
}
