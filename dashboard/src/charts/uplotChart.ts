import uPlot from "uplot";
import { AXIS_COLOR, AXIS_FONT, GRID_COLOR, TITLE_FONT } from "./canvasPlot";

/**
 * uPlot for charts whose series share one x array (history, one trial's metrics, compare): it is
 * canvas based, about 50 KB, and draws 10,000-point series in a few milliseconds.
 */
export class UplotChart {
  chart: uPlot | null = null;
  private readonly resize: ResizeObserver;

  constructor(
    readonly container: HTMLElement,
    private readonly makeOptions: (width: number) => uPlot.Options,
  ) {
    this.resize = new ResizeObserver(() => this.chart?.setSize({ width: this.width(), height: this.chart.height }));
    this.resize.observe(container);
  }

  /** Draws the data; the chart is made on first use, or again when the series change (`rebuild`). */
  setData(data: uPlot.AlignedData, rebuild = false): void {
    if (this.chart && !rebuild) {
      this.chart.setData(data);
      return;
    }
    this.chart?.destroy();
    this.chart = new uPlot(this.makeOptions(this.width()), data, this.container);
  }

  destroy(): void {
    this.resize.disconnect();
    this.chart?.destroy();
    this.chart = null;
  }

  private width(): number {
    return Math.max(240, this.container.clientWidth);
  }
}

/** Axes in the dashboard's style: readable ticks, light grid, a title on each. */
export function axes(xTitle: string, yTitle: string, xValues?: uPlot.Axis["values"]): uPlot.Axis[] {
  const common = { stroke: AXIS_COLOR, font: AXIS_FONT, labelFont: TITLE_FONT, grid: { stroke: GRID_COLOR, width: 1 }, ticks: { stroke: GRID_COLOR, width: 1 } };
  return [
    { ...common, label: xTitle, labelSize: 20, values: xValues },
    { ...common, label: yTitle, labelSize: 20, size: 60 },
  ];
}

/** A series drawn as dots only. */
export function dots(label: string, color: string, size = 5): uPlot.Series {
  return { label, stroke: color, fill: color, paths: () => null, points: { show: true, size, fill: color, stroke: color, width: 0 } };
}

export { uPlot };
