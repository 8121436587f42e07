import { CanvasPlot, HitIndex, Tooltip, type Margins } from "./canvasPlot";
import { trackPointer } from "./pointerEvents";
import type { Scale } from "./scale";

export interface ScatterPoint<T> {
  x: number;
  y: number;
  color: string;
  item: T;
}

export interface ScatterOptions {
  xScale: Scale;
  yScale: Scale;
  xTitle: string;
  yTitle: string;
  /** Category names at x = 0, 1, 2, ... instead of numeric ticks. */
  xCategories?: string[];
  /** Drawn under the points, e.g. a Pareto front line: [x, y] in data units. */
  line?: { points: [number, number][]; color: string };
  radius?: number;
}

/** Dots with hover and click, on canvas: slice plots and the Pareto front. */
export class ScatterChart<T> {
  private readonly plot: CanvasPlot;
  private readonly hits = new HitIndex<T>();

  constructor(container: HTMLElement, height: number, describe: (item: T) => string, onOpen?: (item: T) => void, margins?: Margins) {
    this.plot = new CanvasPlot(container, height, margins);
    trackPointer(this.plot.canvas, this.hits, new Tooltip(container), describe, onOpen);
  }

  draw(points: ScatterPoint<T>[], o: ScatterOptions): void {
    const { plot } = this;
    plot.begin();
    this.hits.clear();
    plot.axes(o.xScale, o.yScale, o.xTitle + (o.xScale.log ? " (log)" : ""), o.yTitle, o.xCategories?.map((label, value) => ({ value, label })));
    const unclip = plot.clip();
    const { ctx } = plot;
    if (o.line && o.line.points.length > 1) {
      ctx.strokeStyle = o.line.color;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      o.line.points.forEach(([x, y], i) => (i ? ctx.lineTo(plot.x(o.xScale, x), plot.y(o.yScale, y)) : ctx.moveTo(plot.x(o.xScale, x), plot.y(o.yScale, y))));
      ctx.stroke();
    }
    const r = o.radius ?? 3;
    ctx.globalAlpha = points.length > 3000 ? 0.5 : 0.8;
    for (const p of points) {
      const x = plot.x(o.xScale, p.x);
      const y = plot.y(o.yScale, p.y);
      ctx.fillStyle = p.color;
      ctx.beginPath();
      ctx.arc(x, y, r, 0, Math.PI * 2);
      ctx.fill();
      this.hits.add(x, y, p.item);
    }
    ctx.globalAlpha = 1;
    unclip();
  }
}
