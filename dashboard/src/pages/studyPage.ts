import type { Study } from "../../../client-sdk/src/index";
import { gt, query } from "../api/connection";
import { STUDY } from "../api/queries";
import type { StudyView, TrialRow } from "../api/types";
import { ContourPlot } from "../charts/contourPlot";
import { CurvesChart, type Curve } from "../charts/curvesChart";
import { HistoryChart } from "../charts/historyChart";
import { ParallelCoordinates } from "../charts/parallelCoordinates";
import { drawSlicePlots } from "../charts/slicePlots";
import { STATE_COLORS, STATES, stateBadge } from "../ui/colors";
import { card, fill, frameThrottle, h, note, throttle } from "../ui/dom";
import { formatNumber, formatTime } from "../ui/format";
import { ImportancePanel } from "../study/importancePanel";
import { finished, paramAxes, type ParamAxis } from "../study/paramAxes";
import { ParetoPanel } from "../study/paretoPanel";
import { StudyData, firstTrialsPage } from "../study/studyData";
import { TrialTable } from "../study/trialTable";
import { links, type Page } from "./page";

/** Heavy charts (parallel coordinates, slices, contour) redraw at most this often while trials stream in. */
const HEAVY_REDRAW_MS = 1500;

/**
 * One study: history, live intermediate values, parallel coordinates, importances, slices, a
 * contour, the Pareto front (several objectives) and the trial table.
 */
export const studyPage: Page = (root, [studyId]) => {
  let data: StudyData | null = null;
  let stopProgress: AbortController | null = null;
  const disposers: (() => void)[] = [];
  fill(root, note("Loading the study…"));
  // The first trials travel while the study itself loads.
  const firstPage = firstTrialsPage(studyId);
  firstPage.catch(() => undefined);

  void (async () => {
    let study: Study;
    let view: StudyView;
    try {
      // The SDK's Study for live watches and actions; the dashboard's query for what it shows.
      [study, view] = await Promise.all([gt.loadStudy({ id: studyId }), query<{ study: StudyView }>(STUDY, { id: studyId }).then((d) => d.study)]);
    } catch (error) {
      fill(root, note(`Could not open study ${studyId}: ${(error as Error).message}`, "error"), h("p", {}, h("a", { href: links.studies() }, "Back to the studies")));
      return;
    }
    const multi = study.directions.length > 1;
    const titles = multi ? study.directions.map((_, i) => `value ${i + 1}`) : ["value"];
    let objective = 0;
    const direction = () => study.directions[objective];
    const objectiveTitle = () => `${titles[objective]} (${direction().toLowerCase()})`;
    const open = (trialId: string) => (location.hash = links.trial(trialId));

    // Header with live counts.
    const countsBox = h("div", { class: "counts big" });
    const objectivePicker = multi
      ? h(
          "label",
          { class: "inline" },
          "Objective ",
          h("select", { "aria-label": "objective", onchange: (e: Event) => ((objective = Number((e.target as HTMLSelectElement).value)), redrawAll()) }, titles.map((t, i) => h("option", { value: i }, `${t} (${study.directions[i].toLowerCase()})`))),
        )
      : null;
    const status = h("span", { class: "muted load-status" }, "loading trials…");
    const historyBox = h("div", { class: "chart", id: "history" });
    const curvesBox = h("div", { class: "chart", id: "curves" });
    const parallelBox = h("div", { class: "chart", id: "parallel" });
    const sliceBox = h("div", { class: "slices" });
    const contourBox = h("div", { class: "chart" });
    const contourX = h("select", { "aria-label": "contour x parameter", onchange: () => drawHeavy() }) as HTMLSelectElement;
    const contourY = h("select", { "aria-label": "contour y parameter", onchange: () => drawHeavy() }) as HTMLSelectElement;
    const logCurves = h("input", { type: "checkbox", onchange: () => drawCurves() }) as HTMLInputElement;
    const importance = new ImportancePanel(study.id);
    const table = new TrialTable(titles, links.trial);
    const pareto = multi ? new ParetoPanel(study.id, titles, open) : null;
    const curvesNote = h("span", { class: "muted" });
    const noFinished = note("No finished trials yet: parallel coordinates, slices and the contour appear with the first.");

    fill(
      root,
      h(
        "div",
        { class: "page-head" },
        h("div", {}, h("div", { class: "crumbs" }, h("a", { href: links.studies() }, "Studies"), " / "), h("h1", {}, study.name)),
        h("div", { class: "actions" }, objectivePicker, h("a", { class: "button", href: links.searches(study.id) }, "Searches"), h("a", { class: "button", href: links.compare([study.id]) }, "Compare")),
      ),
      h(
        "dl",
        { class: "facts" },
        fact("Directions", study.directions.map((d) => d.toLowerCase()).join(", ")),
        fact("Sampler", study.sampler.type + (study.sampler.seed != null ? ` (seed ${study.sampler.seed})` : "")),
        fact("Pruner", study.pruner.type),
        fact("Objective metric", study.objectiveMetric),
        fact("Created", formatTime(view.createdAt)),
      ),
      countsBox,
      card("Optimisation history", h("div", { class: "card-note" }, status), historyBox),
      card(
        "Intermediate values",
        h("div", { class: "toolbar" }, legend(), h("label", { class: "check" }, logCurves, "log scale"), curvesNote),
        curvesBox,
      ),
      pareto ? card("Pareto front", pareto.el) : null,
      noFinished,
      card("Parallel coordinates", h("p", { class: "card-note muted" }, "Finished trials; colour by value, yellow is best."), parallelBox),
      card("Hyperparameter importance", importance.el),
      card("Slice plots", h("p", { class: "card-note muted" }, "Colour by trial number: dark is early, yellow is late."), sliceBox),
      card("Contour", h("div", { class: "toolbar" }, h("label", { class: "inline" }, "x ", contourX), h("label", { class: "inline" }, "y ", contourY)), contourBox),
      card("Trials", table.el),
    );

    let history = new HistoryChart(historyBox, objectiveTitle(), open);
    const curves = new CurvesChart(curvesBox, study.objectiveMetric, open);
    const parallel = new ParallelCoordinates(parallelBox);
    const contour = new ContourPlot(contourBox, open);
    disposers.push(() => history.destroy());
    let axes: ParamAxis[] = [];
    let rows: TrialRow[] = [];

    function drawLight(): void {
      if (!data) return;
      rows = data.sorted();
      const started = performance.now();
      history.update(rows, direction(), objective, !multi);
      if (!historyBox.dataset.firstRenderMs && history.pointCount > 0) historyBox.dataset.firstRenderMs = String(Math.round(performance.now() - started));
      historyBox.dataset.points = String(history.pointCount);
      axes = paramAxes(view.searchSpace, rows);
      table.update(rows, axes);
      status.textContent = data.loaded ? `${rows.length} trials` : `loading trials… ${rows.length} of ${data.totalCount}`;
      status.dataset.loaded = String(data.loaded);
    }

    function drawCurves(): void {
      if (!data) return;
      const list: Curve[] = [];
      for (const c of data.curves.values()) {
        const t = data.trials.get(c.trialId);
        if (t) {
          c.number = t.number;
          c.state = t.state;
        }
        if (c.steps.length) list.push(c);
      }
      curvesBox.dataset.curves = String(list.length);
      curvesBox.dataset.points = String(list.reduce((n, c) => n + c.steps.length, 0));
      curvesNote.textContent = list.length ? `${list.length} newest trials · live` : "";
      if (!list.length) {
        curves.draw([]);
        return;
      }
      curves.draw(list, logCurves.checked);
    }

    function drawHeavy(): void {
      if (!data) return;
      const done = finished(rows, objective);
      noFinished.hidden = done.length > 0;
      if (!done.length) return;
      parallel.draw(axes, done, objectiveTitle(), direction(), objective);
      parallelBox.dataset.trials = String(done.length);
      drawSlicePlots(sliceBox, axes, done, objectiveTitle(), open, objective);
      syncOptions(contourX, axes, 0);
      syncOptions(contourY, axes, 1);
      const ax = axes.find((a) => a.name === contourX.value);
      const ay = axes.find((a) => a.name === contourY.value);
      if (ax && ay && ax !== ay) contour.draw(ax, ay, done, objectiveTitle(), direction(), objective);
      void pareto?.refresh(rows);
    }

    const lightSoon = frameThrottle(drawLight);
    const curvesSoon = frameThrottle(drawCurves);
    const heavySoon = throttle(() => {
      drawHeavy();
      void importance.refresh(objective);
    }, HEAVY_REDRAW_MS);
    disposers.push(() => heavySoon.cancel());
    function redrawAll(): void {
      history.destroy();
      history = new HistoryChart(historyBox, objectiveTitle(), open);
      drawLight();
      drawHeavy();
      void importance.refresh(objective);
    }

    data = new StudyData(study, (what) => {
      if (what === "trials") {
        lightSoon();
        if (data?.loaded) heavySoon();
      } else curvesSoon();
    });
    data.start(firstPage).catch((error) => status.replaceWith(note(`Could not load the trials: ${(error as Error).message}`, "error")));

    stopProgress = new AbortController();
    void (async () => {
      try {
        for await (const p of study.watchProgress({ signal: stopProgress!.signal })) {
          const c = p.counts;
          fill(
            countsBox,
            h("span", {}, h("strong", {}, String(c.total)), " trials"),
            ...STATES.filter((s) => c[s.toLowerCase() as keyof typeof c] > 0).map((s) => {
              const b = stateBadge(s);
              b.textContent = `${c[s.toLowerCase() as keyof typeof c]} ${s.toLowerCase()}`;
              return b;
            }),
            !multi && p.bestValue != null ? h("span", {}, "best ", h("strong", {}, formatNumber(p.bestValue)), p.bestTrial ? h("span", { class: "muted" }, ` (trial #${p.bestTrial.number})`) : null) : null,
          );
        }
      } catch (error) {
        countsBox.append(note(`Live counts stopped: ${(error as Error).message}`, "error"));
      }
    })();
  })();

  return () => {
    data?.close();
    stopProgress?.abort();
    for (const d of disposers) d();
  };
};

function fact(term: string, value: string): HTMLElement {
  return h("div", { class: "fact" }, h("dt", {}, term), h("dd", {}, value));
}

function legend(): HTMLElement {
  return h(
    "span",
    { class: "legend" },
    (["COMPLETE", "PRUNED", "RUNNING", "FAIL"] as const).map((s) => h("span", { class: "legend-item" }, h("i", { style: `background:${STATE_COLORS[s]}` }), s === "PRUNED" ? "pruned ✕" : s.toLowerCase())),
  );
}

/** Keeps a select's options equal to the parameter names, keeping the choice when it can. */
function syncOptions(select: HTMLSelectElement, axes: ParamAxis[], fallback: number): void {
  const names = axes.map((a) => a.name);
  if ([...select.options].map((o) => o.value).join("\u0000") !== names.join("\u0000")) {
    const chosen = select.value;
    fill(select, names.map((n) => h("option", { value: n }, n)));
    select.value = names.includes(chosen) ? chosen : (names[Math.min(fallback, names.length - 1)] ?? "");
  }
}
