import { formatNumber } from "../ui/format";
import { position, ticks, type Scale } from "./scale";

/** Space around the plotting area for tick labels and axis titles, in CSS pixels. */
export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const AXIS_FONT = "12px system-ui, -apple-system, 'Segoe UI', sans-serif";
export const TITLE_FONT = "600 12px system-ui, -apple-system, 'Segoe UI', sans-serif";
export const AXIS_COLOR = "#4b5563";
export const GRID_COLOR = "#eceef2";

/**
 * A canvas sized for the device's pixel ratio, with a plotting area and x/y mapping. The charts
 * that uPlot does not fit (many curves with their own steps, parallel coordinates, heat maps,
 * scatter plots with hit testing) draw on this directly: thousands of lines cost milliseconds.
 */
export class CanvasPlot {
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
  width = 0;
  height = 0;

  constructor(
    readonly container: HTMLElement,
    readonly cssHeight: number,
    readonly margins: Margins = { top: 12, right: 16, bottom: 44, left: 64 },
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "plot";
    container.appendChild(this.canvas);
    this.ctx = this.canvas.getContext("2d")!;
  }

  /** Sizes the canvas to its container and clears it; call before each draw. */
  begin(): void {
    const ratio = window.devicePixelRatio || 1;
    this.width = Math.max(200, this.container.clientWidth);
    this.height = this.cssHeight;
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.canvas.width = Math.round(this.width * ratio);
    this.canvas.height = Math.round(this.height * ratio);
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.ctx.clearRect(0, 0, this.width, this.height);
  }

  get plotWidth(): number {
    return this.width - this.margins.left - this.margins.right;
  }

  get plotHeight(): number {
    return this.height - this.margins.top - this.margins.bottom;
  }

  x(scale: Scale, value: number): number {
    return this.margins.left + position(scale, value) * this.plotWidth;
  }

  y(scale: Scale, value: number): number {
    return this.margins.top + (1 - position(scale, value)) * this.plotHeight;
  }

  /** Grid lines, ticks and titles of both axes; `xLabels` replaces numeric x ticks (categories). */
  axes(xScale: Scale, yScale: Scale, xTitle: string, yTitle: string, xLabels?: { value: number; label: string }[]): void {
    const { ctx, margins } = this;
    ctx.save();
    ctx.font = AXIS_FONT;
    ctx.fillStyle = AXIS_COLOR;
    ctx.strokeStyle = GRID_COLOR;
    ctx.lineWidth = 1;
    const bottom = margins.top + this.plotHeight;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(yScale, Math.max(2, Math.floor(this.plotHeight / 45)))) {
      const y = Math.round(this.y(yScale, v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(margins.left, y);
      ctx.lineTo(margins.left + this.plotWidth, y);
      ctx.stroke();
      ctx.fillText(formatNumber(v), margins.left - 6, y);
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const xs = xLabels ?? ticks(xScale, Math.max(2, Math.floor(this.plotWidth / 90))).map((v) => ({ value: v, label: formatNumber(v) }));
    for (const { value, label } of xs) {
      const x = Math.round(this.x(xScale, value)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, margins.top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillText(label, x, bottom + 6);
    }
    ctx.strokeStyle = AXIS_COLOR;
    ctx.strokeRect(margins.left + 0.5, margins.top + 0.5, this.plotWidth, this.plotHeight);
    ctx.font = TITLE_FONT;
    ctx.fillText(xTitle, margins.left + this.plotWidth / 2, bottom + 24);
    ctx.translate(14, margins.top + this.plotHeight / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(yTitle, 0, 0);
    ctx.restore();
  }

  /** Clips drawing to the plotting area until the returned function is called. */
  clip(): () => void {
    this.ctx.save();
    this.ctx.beginPath();
    this.ctx.rect(this.margins.left, this.margins.top, this.plotWidth, this.plotHeight);
    this.ctx.clip();
    return () => this.ctx.restore();
  }
}

/** A hover label that follows the pointer over a chart. */
export class Tooltip {
  readonly el: HTMLDivElement;

  constructor(container: HTMLElement) {
    container.style.position = "relative";
    this.el = document.createElement("div");
    this.el.className = "tooltip";
    this.el.hidden = true;
    container.appendChild(this.el);
  }

  show(x: number, y: number, text: string): void {
    this.el.textContent = text;
    this.el.hidden = false;
    this.el.style.left = `${x + 12}px`;
    this.el.style.top = `${y + 12}px`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}

/**
 * Hit testing for point charts: the nearest recorded point within `radius` CSS pixels of the
 * pointer. A linear scan is fine at 10,000 points (well under a millisecond).
 */
export class HitIndex<T> {
  private xs: number[] = [];
  private ys: number[] = [];
  private items: T[] = [];

  clear(): void {
    this.xs = [];
    this.ys = [];
    this.items = [];
  }

  add(x: number, y: number, item: T): void {
    this.xs.push(x);
    this.ys.push(y);
    this.items.push(item);
  }

  nearest(x: number, y: number, radius = 8): T | null {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.xs.length; i++) {
      const dx = this.xs[i] - x;
      const dy = this.ys[i] - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best < 0 ? null : this.items[best];
  }
}
