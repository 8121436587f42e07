import type { TrialState } from "../api/types";
import { STATE_COLORS } from "../ui/colors";
import { formatNumber } from "../ui/format";
import { CanvasPlot, HitIndex, Tooltip } from "./canvasPlot";
import { trackPointer } from "./pointerEvents";
import { scaleFor } from "./scale";

/** One trial's intermediate values (steps ascending). */
export interface Curve {
  trialId: string;
  number: number;
  state: TrialState;
  steps: number[];
  values: number[];
}

interface Hit {
  curve: Curve;
  index: number;
}

/**
 * Intermediate values of many trials, one line each, coloured by state. Pruned trials end in a
 * cross where they were stopped; running trials are drawn last and thicker. Each curve keeps its
 * own steps (downsampled curves rarely share them), which is why this is plain canvas, not uPlot.
 */
export class CurvesChart {
  private readonly plot: CanvasPlot;
  private readonly hits = new HitIndex<Hit>();
  private curves: Curve[] = [];
  private highlighted: Curve | null = null;
  private log = false;

  constructor(container: HTMLElement, private readonly yTitle: string, onOpen: (trialId: string) => void) {
    this.plot = new CanvasPlot(container, 320);
    const tooltip = new Tooltip(container);
    trackPointer(
      this.plot.canvas,
      this.hits,
      tooltip,
      (h) => `trial #${h.curve.number} (${h.curve.state.toLowerCase()}) · step ${h.curve.steps[h.index]}: ${formatNumber(h.curve.values[h.index])}`,
      (h) => onOpen(h.curve.trialId),
      (h) => {
        this.highlighted = h?.curve ?? null;
        this.draw(this.curves, this.log);
      },
    );
  }

  draw(curves: Curve[], log = false): void {
    this.curves = curves;
    this.log = log;
    const { plot } = this;
    plot.begin();
    this.hits.clear();
    const xScale = scaleFor(flat(curves, "steps"), { pad: 0.02 });
    const yScale = scaleFor(flat(curves, "values"), { log });
    plot.axes(xScale, yScale, "step", this.yTitle + (yScale.log ? " (log)" : ""));
    const unclip = plot.clip();
    const { ctx } = plot;
    // Finished trials first, then running ones on top, then the highlighted one.
    const order = [...curves].sort((a, b) => rank(a.state) - rank(b.state));
    for (const c of order) {
      if (c === this.highlighted) continue;
      this.line(c, xScale, yScale, c.state === "RUNNING" ? 2 : 1.2, c.state === "RUNNING" ? 0.95 : 0.45);
    }
    if (this.highlighted && curves.includes(this.highlighted)) this.line(this.highlighted, xScale, yScale, 3, 1);
    unclip();
    for (const c of curves) {
      for (let i = 0; i < c.steps.length; i++) {
        if (!yScale.log || c.values[i] > 0) this.hits.add(plot.x(xScale, c.steps[i]), plot.y(yScale, c.values[i]), { curve: c, index: i });
      }
    }
    ctx.globalAlpha = 1;
  }

  private line(c: Curve, xScale: ReturnType<typeof scaleFor>, yScale: ReturnType<typeof scaleFor>, width: number, alpha: number): void {
    const { ctx } = this.plot;
    const color = STATE_COLORS[c.state];
    ctx.globalAlpha = alpha;
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    let started = false;
    for (let i = 0; i < c.steps.length; i++) {
      if (yScale.log && !(c.values[i] > 0)) continue;
      const x = this.plot.x(xScale, c.steps[i]);
      const y = this.plot.y(yScale, c.values[i]);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
    if (c.state === "PRUNED" && c.steps.length) {
      const i = c.steps.length - 1;
      const x = this.plot.x(xScale, c.steps[i]);
      const y = this.plot.y(yScale, c.values[i]);
      ctx.globalAlpha = Math.min(1, alpha + 0.4);
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x - 3.5, y - 3.5);
      ctx.lineTo(x + 3.5, y + 3.5);
      ctx.moveTo(x + 3.5, y - 3.5);
      ctx.lineTo(x - 3.5, y + 3.5);
      ctx.stroke();
    }
  }
}

function rank(state: TrialState): number {
  return state === "RUNNING" ? 2 : state === "PRUNED" ? 1 : 0;
}

function* flat(curves: Curve[], key: "steps" | "values"): Iterable<number> {
  for (const c of curves) yield* c[key];
}
