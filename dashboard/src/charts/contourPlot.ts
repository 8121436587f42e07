import type { TrialRow } from "../api/types";
import { rampColor } from "../ui/colors";
import { formatNumber, formatParam } from "../ui/format";
import { AXIS_COLOR, AXIS_FONT, CanvasPlot, HitIndex, Tooltip } from "./canvasPlot";
import { trackPointer } from "./pointerEvents";
import { position, scaleFor, valueAt } from "./scale";
import type { ParamAxis } from "../study/paramAxes";

const GRID = 48;

/**
 * A heat map of the objective over two parameters: trials are averaged into a 48×48 grid, and
 * empty cells are filled by inverse-distance weighting of the filled ones (Optuna interpolates
 * too). Trials are drawn on top as dots; the colour bar on the right gives the scale.
 */
export class ContourPlot {
  private readonly plot: CanvasPlot;
  private readonly hits = new HitIndex<TrialRow>();
  private objective = 0;

  constructor(container: HTMLElement, onOpen: (trialId: string) => void) {
    this.plot = new CanvasPlot(container, 380, { top: 12, right: 90, bottom: 44, left: 64 });
    trackPointer(
      this.plot.canvas,
      this.hits,
      new Tooltip(container),
      (t) => `trial #${t.number} · ${formatNumber(t.values![this.objective])} · ${Object.entries(t.params).map(([k, v]) => `${k}=${formatParam(v)}`).join(", ")}`,
      (t) => onOpen(t.id),
    );
  }

  draw(xAxis: ParamAxis, yAxis: ParamAxis, trials: TrialRow[], objectiveTitle: string, direction: "MINIMIZE" | "MAXIMIZE", objective = 0): void {
    this.objective = objective;
    const { plot } = this;
    plot.begin();
    this.hits.clear();
    const pts: { px: number; py: number; v: number; t: TrialRow }[] = [];
    for (const t of trials) {
      const px = xAxis.position(t.params[xAxis.name]);
      const py = yAxis.position(t.params[yAxis.name]);
      if (px !== null && py !== null) pts.push({ px, py, v: t.values![objective], t });
    }
    const valueScale = scaleFor(pts.map((p) => p.v), { pad: 0 });
    const grid = interpolate(pts);
    const { ctx, margins } = plot;
    const cw = plot.plotWidth / GRID;
    const ch = plot.plotHeight / GRID;
    const good = (v: number) => {
      const g = position(valueScale, v);
      return direction === "MINIMIZE" ? 1 - g : g;
    };
    for (let j = 0; j < GRID; j++) {
      for (let i = 0; i < GRID; i++) {
        const v = grid[j * GRID + i];
        if (Number.isNaN(v)) continue;
        ctx.fillStyle = rampColor(good(v));
        ctx.fillRect(margins.left + i * cw, margins.top + (GRID - 1 - j) * ch, Math.ceil(cw), Math.ceil(ch));
      }
    }
    const xLabels = xAxis.categorical ? xAxis.categories.map((label, value) => ({ value, label })) : undefined;
    plot.axes(xAxis.scale, yAxis.scale, xAxis.name + (xAxis.scale.log ? " (log)" : ""), yAxis.name + (yAxis.scale.log ? " (log)" : ""), xLabels);
    // Many trials: smaller, fainter dots, so the heat map stays readable underneath.
    const crowded = pts.length > 500;
    ctx.strokeStyle = "rgba(255,255,255,0.9)";
    ctx.fillStyle = crowded ? "rgba(17,24,39,0.35)" : "rgba(17,24,39,0.75)";
    for (const p of pts) {
      const x = margins.left + p.px * plot.plotWidth;
      const y = margins.top + (1 - p.py) * plot.plotHeight;
      ctx.beginPath();
      ctx.arc(x, y, crowded ? 1.2 : 2.5, 0, Math.PI * 2);
      ctx.fill();
      if (!crowded) ctx.stroke();
      this.hits.add(x, y, p.t);
    }
    // Colour bar.
    const barX = margins.left + plot.plotWidth + 16;
    for (let k = 0; k < plot.plotHeight; k++) {
      const v = valueAt(valueScale, 1 - k / plot.plotHeight);
      ctx.fillStyle = rampColor(good(v));
      ctx.fillRect(barX, margins.top + k, 14, 1);
    }
    ctx.fillStyle = AXIS_COLOR;
    ctx.font = AXIS_FONT;
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(formatNumber(valueScale.max), barX + 18, margins.top);
    ctx.textBaseline = "bottom";
    ctx.fillText(formatNumber(valueScale.min), barX + 18, margins.top + plot.plotHeight);
    ctx.textBaseline = "middle";
    ctx.save();
    ctx.translate(barX + 40, margins.top + plot.plotHeight / 2);
    ctx.rotate(Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(objectiveTitle, 0, 0);
    ctx.restore();
  }
}

/** Grid cell values (row-major, y up): mean of the trials in a cell, else IDW of filled cells. */
function interpolate(pts: { px: number; py: number; v: number }[]): Float64Array {
  const sum = new Float64Array(GRID * GRID);
  const count = new Uint32Array(GRID * GRID);
  for (const p of pts) {
    const i = Math.min(GRID - 1, Math.max(0, Math.floor(p.px * GRID)));
    const j = Math.min(GRID - 1, Math.max(0, Math.floor(p.py * GRID)));
    sum[j * GRID + i] += p.v;
    count[j * GRID + i]++;
  }
  const filled: { i: number; j: number; v: number }[] = [];
  const out = new Float64Array(GRID * GRID).fill(NaN);
  for (let k = 0; k < out.length; k++) {
    if (count[k]) {
      out[k] = sum[k] / count[k];
      filled.push({ i: k % GRID, j: Math.floor(k / GRID), v: out[k] });
    }
  }
  if (!filled.length) return out;
  for (let k = 0; k < out.length; k++) {
    if (count[k]) continue;
    const i = k % GRID;
    const j = Math.floor(k / GRID);
    let wsum = 0;
    let vsum = 0;
    for (const f of filled) {
      const d2 = (f.i - i) ** 2 + (f.j - j) ** 2;
      const w = 1 / (d2 * d2);
      wsum += w;
      vsum += w * f.v;
    }
    out[k] = vsum / wsum;
  }
  return out;
}
