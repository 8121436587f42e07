import { HitIndex, Tooltip } from "./canvasPlot";

/**
 * Hover and click on a canvas chart: the nearest item under the pointer gets a tooltip, a click
 * opens it. `onHover` lets a chart highlight the item.
 */
export function trackPointer<T>(
  canvas: HTMLCanvasElement,
  hits: HitIndex<T>,
  tooltip: Tooltip,
  describe: (item: T) => string,
  onClick?: (item: T) => void,
  onHover?: (item: T | null) => void,
): void {
  let current: T | null = null;
  canvas.addEventListener("mousemove", (event) => {
    const item = hits.nearest(event.offsetX, event.offsetY);
    if (item) tooltip.show(event.offsetX, event.offsetY, describe(item));
    else tooltip.hide();
    canvas.style.cursor = item && onClick ? "pointer" : "default";
    if (item !== current) {
      current = item;
      onHover?.(item);
    }
  });
  canvas.addEventListener("mouseleave", () => {
    tooltip.hide();
    if (current) {
      current = null;
      onHover?.(null);
    }
  });
  if (onClick) {
    canvas.addEventListener("click", (event) => {
      const item = hits.nearest(event.offsetX, event.offsetY);
      if (item) onClick(item);
    });
  }
}
