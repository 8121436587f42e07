import { SERIES_COLORS } from "../ui/colors";
import { formatNumber } from "../ui/format";
import { UplotChart, axes } from "./uplotChart";

/** One metric series of one trial as a line over steps (uPlot), updated in place as points arrive. */
export class SeriesChart {
  private readonly chart: UplotChart;

  constructor(container: HTMLElement, name: string, colorIndex: number) {
    const color = SERIES_COLORS[colorIndex % SERIES_COLORS.length];
    this.chart = new UplotChart(container, (width) => ({
      width,
      height: 220,
      scales: { x: { time: false } },
      axes: axes("step", name),
      legend: { show: true },
      series: [{ label: "step" }, { label: name, stroke: color, width: 2, points: { size: 4 }, value: (_u, v) => formatNumber(v) }],
    }));
  }

  update(steps: number[], values: number[]): void {
    this.chart.setData([steps, values]);
  }

  destroy(): void {
    this.chart.destroy();
  }
}
