import type { TrialState } from "../api/types";

/** One colour per trial state, everywhere: tables, badges, charts. */
export const STATE_COLORS: Record<TrialState, string> = {
  COMPLETE: "#2563eb",
  PRUNED: "#ea8a0c",
  FAIL: "#dc2626",
  RUNNING: "#16a34a",
  WAITING: "#8b8f98",
};

export const STATES: TrialState[] = ["COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING"];

/** The best-so-far line and other highlights. */
export const ACCENT = "#111827";

/** A colour ramp for values (viridis, sampled), 0 = low, 1 = high. */
const RAMP = ["#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"];

export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.floor(x);
  const j = Math.min(RAMP.length - 1, i + 1);
  return mix(RAMP[i], RAMP[j], x - i);
}

function mix(a: string, b: string, t: number): string {
  const pa = parseInt(a.slice(1), 16);
  const pb = parseInt(b.slice(1), 16);
  const channel = (shift: number) => Math.round(((pa >> shift) & 255) * (1 - t) + ((pb >> shift) & 255) * t);
  return `rgb(${channel(16)},${channel(8)},${channel(0)})`;
}

/** A palette for series that are not states (compare page, metric names). */
export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea8a0c", "#0891b2", "#db2777", "#4d7c0f", "#7c3aed", "#b45309"];

/** Metric series of one trial: no state colours, so a red line never reads as a failure. */
export const SERIES_COLORS = ["#2563eb", "#9333ea", "#0891b2", "#db2777", "#4d7c0f", "#7c3aed", "#b45309", "#0f766e"];

export function stateBadge(state: TrialState): HTMLElement {
  const el = document.createElement("span");
  el.className = `badge state-${state.toLowerCase()}`;
  el.textContent = state;
  return el;
}
