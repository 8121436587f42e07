import type { TrialRow } from "../api/types";
import { rampColor } from "../ui/colors";
import { formatNumber } from "../ui/format";
import { AXIS_COLOR, AXIS_FONT, CanvasPlot, TITLE_FONT } from "./canvasPlot";
import { position, scaleFor, valueAt } from "./scale";
import type { ParamAxis } from "../study/paramAxes";

/**
 * Parallel coordinates: one vertical axis per parameter and one for the objective, one line per
 * finished trial, coloured by its value (yellow = best). Hand-written canvas: 10,000 lines draw
 * in a few tens of milliseconds.
 */
export class ParallelCoordinates {
  private readonly plot: CanvasPlot;

  constructor(container: HTMLElement) {
    this.plot = new CanvasPlot(container, 340, { top: 40, right: 40, bottom: 28, left: 40 });
  }

  draw(axes: ParamAxis[], trials: TrialRow[], objectiveTitle: string, direction: "MINIMIZE" | "MAXIMIZE", objective = 0): void {
    const { plot } = this;
    plot.begin();
    const { ctx } = plot;
    const values = trials.map((t) => t.values![objective]);
    const valueScale = scaleFor(values, { pad: 0 });
    const columns = axes.length + 1;
    const xAt = (i: number) => plot.margins.left + (columns === 1 ? plot.plotWidth / 2 : (i * plot.plotWidth) / (columns - 1));
    const yAt = (t: number) => plot.margins.top + (1 - t) * plot.plotHeight;

    // Worst first so the best lines end up on top.
    const order = trials.map((_, i) => i).sort((a, b) => (direction === "MINIMIZE" ? values[b] - values[a] : values[a] - values[b]));
    ctx.lineWidth = 1;
    ctx.globalAlpha = trials.length > 2000 ? 0.25 : trials.length > 300 ? 0.45 : 0.8;
    for (const i of order) {
      const t = trials[i];
      const goodness = position(valueScale, values[i]);
      ctx.strokeStyle = rampColor(direction === "MINIMIZE" ? 1 - goodness : goodness);
      ctx.beginPath();
      let drawing = false;
      axes.forEach((axis, a) => {
        const p = axis.position(t.params[axis.name]);
        if (p === null) {
          drawing = false;
          return;
        }
        if (drawing) ctx.lineTo(xAt(a), yAt(p));
        else ctx.moveTo(xAt(a), yAt(p));
        drawing = true;
      });
      const p = position(valueScale, values[i]);
      if (drawing) ctx.lineTo(xAt(axes.length), yAt(p));
      ctx.stroke();
    }
    ctx.globalAlpha = 1;

    // Axes with their names on top and their ranges or categories.
    ctx.font = AXIS_FONT;
    const labelled = [...axes.map((a) => ({ title: a.name, axis: a as ParamAxis | null })), { title: objectiveTitle, axis: null }];
    labelled.forEach(({ title, axis }, i) => {
      const x = Math.round(xAt(i)) + 0.5;
      ctx.strokeStyle = AXIS_COLOR;
      ctx.beginPath();
      ctx.moveTo(x, plot.margins.top);
      ctx.lineTo(x, plot.margins.top + plot.plotHeight);
      ctx.stroke();
      ctx.fillStyle = AXIS_COLOR;
      ctx.textAlign = i === 0 ? "left" : i === columns - 1 ? "right" : "center";
      ctx.font = TITLE_FONT;
      ctx.textBaseline = "bottom";
      ctx.fillText(title + (axis?.scale.log ? " (log)" : ""), x, plot.margins.top - 16);
      ctx.font = AXIS_FONT;
      ctx.textAlign = i === columns - 1 ? "right" : "left";
      const ticks = axis?.categorical
        ? axis.categories.map((c, k) => ({ label: c, at: position(axis.scale, k) }))
        : [0, 0.5, 1].map((at) => ({ label: formatNumber(valueAt(axis?.scale ?? valueScale, at)), at }));
      for (const { label, at } of ticks) {
        ctx.textBaseline = at === 1 ? "top" : at === 0 ? "bottom" : "middle";
        const y = yAt(at) + (at === 1 ? -plot.margins.top + plot.margins.top : 0);
        ctx.fillText(label, x + (i === columns - 1 ? -4 : 4), at === 1 ? Math.max(y, plot.margins.top) : y);
      }
    });
  }
}
