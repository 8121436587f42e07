import type { TrialRow } from "../api/types";
import { rampColor } from "../ui/colors";
import { formatNumber, formatParam } from "../ui/format";
import { h } from "../ui/dom";
import { ScatterChart } from "./scatterChart";
import { scaleFor } from "./scale";
import type { ParamAxis } from "../study/paramAxes";

/**
 * One small scatter plot per parameter: its value against the objective for each finished trial,
 * coloured by trial number (dark = early, yellow = late), so trends and where the sampler
 * concentrated show at a glance.
 */
export function drawSlicePlots(
  container: HTMLElement,
  axes: ParamAxis[],
  trials: TrialRow[],
  objectiveTitle: string,
  onOpen: (trialId: string) => void,
  objective = 0,
): void {
  container.replaceChildren();
  const maxNumber = trials.reduce((m, t) => Math.max(m, t.number), 1);
  const yScale = scaleFor(trials.map((t) => t.values![objective]));
  for (const axis of axes) {
    const cell = h("div", { class: "slice" });
    container.appendChild(cell);
    const chart = new ScatterChart<TrialRow>(
      cell,
      220,
      (t) => `trial #${t.number} · ${axis.name} = ${formatParam(t.params[axis.name])} · ${formatNumber(t.values![objective])}`,
      (t) => onOpen(t.id),
      { top: 10, right: 12, bottom: 40, left: 60 },
    );
    const points = [];
    for (const t of trials) {
      let x = axis.numeric(t.params[axis.name]);
      if (x === null) continue;
      // Categories: spread the dots a little so that they do not hide each other.
      if (axis.categorical) x += (jitter(t.number) - 0.5) * 0.3;
      points.push({ x, y: t.values![objective], color: rampColor(t.number / maxNumber), item: t });
    }
    chart.draw(points, { xScale: axis.scale, yScale, xTitle: axis.name, yTitle: objectiveTitle, xCategories: axis.categorical ? axis.categories : undefined });
  }
}

/** A fixed pseudo-random number in [0, 1) per trial, so dots do not jump between redraws. */
function jitter(n: number): number {
  const x = Math.sin(n * 12.9898) * 43758.5453;
  return x - Math.floor(x);
}
