import type { Study } from "../../../client-sdk/src/index";
import { gt } from "../api/connection";
import type { TrialRow } from "../api/types";
import { UplotChart, axes, uPlot } from "../charts/uplotChart";
import { PALETTE } from "../ui/colors";
import { card, fill, h, note } from "../ui/dom";
import { formatNumber, formatParam } from "../ui/format";
import { bestSoFar, loadAllTrials } from "../study/loadTrials";
import { links, type Page } from "./page";

interface Compared {
  study: Study;
  trials: TrialRow[];
}

/**
 * Several studies side by side: best value and parameters, and their best-so-far curves on one
 * normalised axis (0 = the best value among the shown studies, 1 = the worst first best), so
 * studies of one task with different samplers or pruners compare at a glance.
 */
export const comparePage: Page = (root, [idList]) => {
  const chosen = new Set((idList ?? "").split(",").filter(Boolean).map(decodeURIComponent));
  const picker = h("div", { class: "picker" });
  const filter = h("input", { type: "search", placeholder: "Filter by name…", "aria-label": "filter studies", class: "wide" }) as HTMLInputElement;
  const tableBox = h("div", { class: "table-wrap" });
  const chartBox = h("div", { class: "chart" });
  const chartNote = h("p", { class: "card-note muted" }, "Best value so far by trial number, normalised over the shown studies: 0 is the best value among them, 1 the worst first result. Lower is better for every study, whatever its direction.");
  fill(root, h("div", { class: "page-head" }, h("h1", {}, "Compare studies")), card("Studies", filter, picker), card("Best values and parameters", tableBox), card("Best so far", chartNote, chartBox));
  const chart = new UplotChart(chartBox, (width) => ({
    width,
    height: 320,
    scales: { x: { time: false } },
    axes: axes("trial number", "best so far (normalised)"),
    series: [{ label: "trial" }, ...charted.map((c) => ({ label: c.study.name, stroke: PALETTE[shown.indexOf(c) % PALETTE.length], width: 2, spanGaps: true, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false }, value: (_u: uPlot, v: number | null) => formatNumber(v) }))],
  }));
  let shown: Compared[] = [];
  /** The single-objective studies among them: those the chart can draw. */
  let charted: Compared[] = [];
  let all: Study[] = [];
  const cache = new Map<string, Compared>();

  const renderPicker = () => {
    const text = filter.value.trim().toLowerCase();
    fill(
      picker,
      all
        .filter((s) => !text || s.name.toLowerCase().includes(text) || chosen.has(s.id))
        .map((s) =>
          h(
            "label",
            { class: "check pick" },
            h("input", {
              type: "checkbox",
              checked: chosen.has(s.id),
              "data-study": s.name,
              onchange: (e: Event) => {
                if ((e.target as HTMLInputElement).checked) chosen.add(s.id);
                else chosen.delete(s.id);
                history.replaceState(null, "", links.compare([...chosen]));
                void compare();
              },
            }),
            s.name,
          ),
        ),
    );
  };

  const compare = async () => {
    const ids = all.filter((s) => chosen.has(s.id)).map((s) => s.id);
    if (!ids.length) {
      fill(tableBox, note("Pick two or more studies above."));
      shown = [];
      charted = [];
      chart.setData([[]], true);
      return;
    }
    fill(tableBox, note("Loading…"));
    try {
      shown = await Promise.all(
        ids.map(async (id) => {
          const hit = cache.get(id);
          if (hit) return hit;
          const study = all.find((s) => s.id === id)!;
          const c = { study, trials: await loadAllTrials(id) };
          cache.set(id, c);
          return c;
        }),
      );
    } catch (error) {
      fill(tableBox, note(`Could not load the studies: ${(error as Error).message}`, "error"));
      return;
    }
    renderTable();
    renderChart();
  };

  const renderTable = () => {
    const bests = shown.map((c) => {
      const curve = c.study.directions.length === 1 ? bestSoFar(c.trials, c.study.directions[0]) : [];
      const last = curve.at(-1);
      return last ? c.trials.find((t) => t.number === last.number) ?? null : null;
    });
    const params = [...new Set(shown.flatMap((c) => c.study.searchSpace.map((p) => p.name).concat(bests[shown.indexOf(c)] ? Object.keys(bests[shown.indexOf(c)]!.params) : [])))];
    const row = (title: string, cells: (string | Node)[]) => h("tr", {}, h("th", {}, title), ...cells.map((c) => h("td", {}, c)));
    fill(
      tableBox,
      h(
        "table",
        { class: "data compare" },
        h("thead", {}, h("tr", {}, h("th", {}, ""), ...shown.map((c, i) => h("th", {}, h("i", { class: "swatch", style: `background:${PALETTE[i % PALETTE.length]}` }), h("a", { href: links.study(c.study.id) }, c.study.name))))),
        h(
          "tbody",
          {},
          row("Direction", shown.map((c) => c.study.directions.map((d) => d.toLowerCase()).join(", "))),
          row("Sampler / pruner", shown.map((c) => `${c.study.sampler.type} / ${c.study.pruner.type}`)),
          row("Trials", shown.map((c) => String(c.trials.length))),
          row("Best value", bests.map((b, i) => (shown[i].study.directions.length > 1 ? "several objectives" : b ? formatNumber(b.values![0]) : "–"))),
          row("Best trial", bests.map((b) => (b ? h("a", { href: links.trial(b.id) }, `#${b.number}`) : "–"))),
          ...params.map((p) => row(p, bests.map((b) => formatParam(b?.params[p])))),
        ),
      ),
    );
  };

  const renderChart = () => {
    const single = shown.filter((c) => c.study.directions.length === 1);
    const curves = single.map((c) => ({ c, curve: bestSoFar(c.trials, c.study.directions[0]) }));
    // One shared scale: values oriented so that lower is better, then 0..1 over all shown.
    const oriented = (c: Compared, v: number) => (c.study.directions[0] === "MAXIMIZE" ? -v : v);
    const values = curves.flatMap(({ c, curve }) => curve.map((p) => oriented(c, p.value)));
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const span = hi - lo || 1;
    const maxNumber = Math.max(0, ...shown.flatMap((c) => c.trials.map((t) => t.number)));
    const x = Array.from({ length: maxNumber + 1 }, (_, i) => i);
    const series = curves.map(({ c, curve }) => {
      const ys = new Array<number | null>(x.length).fill(null);
      for (const p of curve) ys[p.number] = (oriented(c, p.value) - lo) / span;
      // Carry the last best to the study's last trial so the step line ends where the study does.
      const last = Math.max(-1, ...c.trials.map((t) => t.number));
      if (curve.length && last >= 0 && ys[last] === null) ys[last] = (oriented(c, curve.at(-1)!.value) - lo) / span;
      return ys;
    });
    charted = single;
    chart.setData([x, ...series] as uPlot.AlignedData, true);
    chartNote.hidden = false;
  };

  filter.addEventListener("input", renderPicker);
  void (async () => {
    try {
      all = await gt.getAllStudies();
      renderPicker();
      await compare();
    } catch (error) {
      fill(picker, note(`Could not list the studies: ${(error as Error).message}`, "error"));
    }
  })();
  return () => chart.destroy();
};
