import { gt, query } from "../api/connection";
import { TRIAL } from "../api/queries";
import type { JsonValue, TrialState } from "../api/types";
import { SeriesChart } from "../charts/seriesChart";
import { stateBadge } from "../ui/colors";
import { card, fill, h, note } from "../ui/dom";
import { formatDuration, formatNumber, formatParam, formatTime, formatValues } from "../ui/format";
import { links, type Page } from "./page";

/** Points per series the server keeps when downsampling long series for this page. */
const MAX_POINTS = 1000;

interface TrialDetail {
  id: string;
  number: number;
  state: TrialState;
  values: number[] | null;
  params: Record<string, JsonValue>;
  userAttrs: JsonValue;
  owner: string | null;
  searchId: string | null;
  retryOf: string | null;
  startedAt: string | null;
  completedAt: string | null;
  heartbeatAt: string | null;
  pruneReason: string | null;
  failReason: string | null;
  study: { id: string; name: string; objectiveMetric: string; directions: string[] };
  metrics: { name: string; points: { step: number; value: number }[] }[];
}

/** One trial: parameters, values, every metric series (live while it runs), and a prune button. */
export const trialPage: Page = (root, [trialId]) => {
  const stop = new AbortController();
  const charts: SeriesChart[] = [];
  fill(root, note("Loading the trial…"));

  const load = async () => {
    const { trial } = await query<{ trial: TrialDetail | null }>(TRIAL, { id: trialId, maxPoints: MAX_POINTS });
    return trial;
  };

  void (async () => {
    let trial: TrialDetail | null;
    try {
      trial = await load();
    } catch (error) {
      fill(root, note(`Could not load trial ${trialId}: ${(error as Error).message}`, "error"));
      return;
    }
    if (!trial) {
      fill(root, note(`There is no trial ${trialId}; it may have been deleted with its study.`, "error"), h("p", {}, h("a", { href: links.studies() }, "Back to the studies")));
      return;
    }
    const t = trial;
    const head = h("div", { class: "page-head" });
    const facts = h("dl", { class: "facts" });
    const pruneBox = h("div", { class: "prune" });
    const seriesBox = h("div", { class: "series-grid" });
    const series = new Map<string, { steps: number[]; values: number[]; chart: SeriesChart; box: HTMLElement }>();

    const renderHead = () => {
      fill(
        head,
        h(
          "div",
          {},
          h("div", { class: "crumbs" }, h("a", { href: links.studies() }, "Studies"), " / ", h("a", { href: links.study(t.study.id) }, t.study.name), " / "),
          h("h1", {}, `Trial #${t.number} `, stateBadge(t.state)),
        ),
        pruneBox,
      );
      fill(
        facts,
        fact("State", t.state),
        fact(t.study.directions.length > 1 ? "Values" : "Value", formatValues(t.values)),
        fact("Started", formatTime(t.startedAt)),
        fact("Finished", formatTime(t.completedAt)),
        fact("Duration", formatDuration(t.startedAt, t.completedAt)),
        t.heartbeatAt ? fact("Last heartbeat", formatTime(t.heartbeatAt)) : null,
        t.owner ? fact("Run by", t.owner) : null,
        t.searchId ? fact("Search", `#${t.searchId}`) : null,
        t.retryOf ? fact("Retry of trial", t.retryOf) : null,
        t.pruneReason ? fact("Prune reason", t.pruneReason) : null,
        t.failReason ? fact("Fail reason", t.failReason) : null,
      );
      renderPrune();
    };

    const renderPrune = () => {
      if (t.state !== "RUNNING" && t.state !== "WAITING") {
        pruneBox.replaceChildren();
        return;
      }
      const reason = h("input", { type: "text", placeholder: "reason (optional)", "aria-label": "prune reason", class: "narrow-text" }) as HTMLInputElement;
      const button = h("button", { type: "button", class: "danger", id: "prune-trial" }, "Prune trial") as HTMLButtonElement;
      const message = h("span", { class: "muted" });
      button.addEventListener("click", async () => {
        button.disabled = true;
        message.textContent = "pruning…";
        try {
          const study = await gt.loadStudy({ id: t.study.id });
          const pruned = await study.pruneTrial(t.id, reason.value.trim() || "pruned from the dashboard");
          Object.assign(t, { state: pruned.state, values: pruned.values, pruneReason: pruned.pruneReason, completedAt: pruned.completedAt });
          renderHead();
        } catch (error) {
          button.disabled = false;
          message.textContent = "";
          message.replaceWith(note(`Could not prune: ${(error as Error).message}`, "error"));
        }
      });
      fill(pruneBox, reason, button, message);
    };

    const addPoints = (name: string, points: { step: number; value: number }[]) => {
      let s = series.get(name);
      if (!s) {
        const box = h("div", { class: "chart series", "data-metric": name }, h("h3", {}, name));
        seriesBox.appendChild(box);
        s = { steps: [], values: [], chart: new SeriesChart(box, name, series.size), box };
        charts.push(s.chart);
        series.set(name, s);
      }
      const byStep = new Map(s.steps.map((step, i) => [step, s!.values[i]]));
      for (const p of points) byStep.set(p.step, p.value);
      s.steps = [...byStep.keys()].sort((a, b) => a - b);
      s.values = s.steps.map((step) => byStep.get(step)!);
      s.chart.update(s.steps, s.values);
      s.box.dataset.points = String(s.steps.length);
    };

    const paramRows = Object.entries(t.params);
    fill(
      root,
      head,
      facts,
      card(
        "Parameters",
        paramRows.length
          ? h("table", { class: "data params" }, h("tbody", {}, paramRows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, formatParam(v), typeof v === "number" && formatParam(v) !== String(v) ? h("span", { class: "muted" }, `  ${v}`) : null)))))
          : note("No parameters."),
      ),
      card("Metrics", seriesBox),
      card("User attributes", h("pre", { class: "json" }, JSON.stringify(t.userAttrs, null, 2))),
    );
    renderHead();
    // The objective first: it is what the pruner and the history read.
    const ordered = [...t.metrics].sort((a, b) => Number(b.name === t.study.objectiveMetric) - Number(a.name === t.study.objectiveMetric));
    for (const m of ordered) addPoints(m.name, m.points);
    if (!t.metrics.length) seriesBox.appendChild(note("No metrics reported yet."));

    if (t.state === "RUNNING" || t.state === "WAITING") {
      const study = await gt.loadStudy({ id: t.study.id });
      void (async () => {
        // Replays from the lowest of the series' last steps (the server keeps each series' last point
        // when it downsamples), so points reported since the page loaded are not missed; repeats merge.
        const lastSteps = t.metrics.map((m) => m.points.at(-1)?.step ?? -1);
        const afterStep = lastSteps.length ? Math.min(...lastSteps) : -1;
        for await (const batch of study.watchMetrics({ trialId: t.id, afterStep, signal: stop.signal })) {
          seriesBox.querySelector(":scope > p.note")?.remove();
          addPoints(batch.name, batch.points);
        }
      })().catch((error) => console.warn("metrics stream stopped", error));
      void (async () => {
        for await (const u of study.watchTrials({ signal: stop.signal })) {
          if (u.id !== t.id) continue;
          Object.assign(t, { state: u.state, values: u.values, pruneReason: u.pruneReason, completedAt: u.completedAt, startedAt: u.startedAt });
          renderHead();
        }
      })().catch((error) => console.warn("trial stream stopped", error));
    }
  })();

  return () => {
    stop.abort();
    for (const c of charts) c.destroy();
  };
};

function fact(term: string, value: string): HTMLElement {
  return h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, value));
}

