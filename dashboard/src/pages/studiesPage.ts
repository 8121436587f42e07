import { query } from "../api/connection";
import { STUDIES } from "../api/queries";
import type { PageInfo, TrialState } from "../api/types";
import { stateBadge } from "../ui/colors";
import { card, fill, h, note } from "../ui/dom";
import { formatAgo, formatNumber, formatTime } from "../ui/format";
import { links, type Page } from "./page";

const PAGE = 50;

interface StudyItem {
  id: string;
  name: string;
  createdAt: string;
  lastActivityAt: string;
  directions: string[];
  sampler: { type: string };
  pruner: { type: string };
  total: number;
  complete: number;
  pruned: number;
  running: number;
  fail: number;
  waiting: number;
  bestTrial: { number: number; values: number[] | null } | null;
}

/** The studies: searchable by name, a page of 50 at a time, refreshed every 10 s. */
export const studiesPage: Page = (root) => {
  const search = h("input", { type: "search", placeholder: "Filter by name…", "aria-label": "filter studies by name", class: "wide", autofocus: true }) as HTMLInputElement;
  const list = h("div", { class: "table-wrap" });
  const pager = h("div", { class: "pager" });
  fill(root, h("div", { class: "page-head" }, h("h1", {}, "Studies"), search), card("All studies", list, pager));

  // Cursors of the pages before the current one, for "Previous".
  let before: (string | null)[] = [];
  let after: string | null = null;
  let generation = 0;

  const load = async () => {
    const mine = ++generation;
    try {
      const data = await query<{ studies: { totalCount: number; pageInfo: PageInfo; edges: { node: StudyItem }[] } }>(STUDIES, {
        first: PAGE,
        after,
        nameContains: search.value.trim() || null,
      });
      const studies = data.studies.edges.map((e) => e.node);
      if (mine !== generation) return;
      render(studies, data.studies.totalCount, data.studies.pageInfo);
    } catch (error) {
      if (mine !== generation) return;
      const { message, code } = error as Error & { code?: string };
      const hint = code === "UNAUTHENTICATED" || code === "FORBIDDEN" ? "Enter an API key in the bar above." : code === "NETWORK_ERROR" ? "Is the server running?" : "";
      fill(list, note(`Could not load the studies: ${message.replace(/\.+$/, "")}. ${hint}`, "error"));
    }
  };

  const render = (studies: StudyItem[], total: number, pageInfo: PageInfo) => {
    if (!studies.length) {
      fill(list, note(search.value ? `No study name contains "${search.value}".` : "No studies yet. Create one with the client SDK or the createStudy mutation."));
      pager.replaceChildren();
      return;
    }
    fill(
      list,
      h(
        "table",
        { class: "data studies" },
        h("thead", {}, h("tr", {}, ...["Name", "Direction", "Sampler", "Pruner", "Trials", "Best value", "Last activity"].map((t, i) => h("th", { class: i === 5 ? "num" : "" }, t)))),
        h(
          "tbody",
          {},
          studies.map((s) =>
            h(
              "tr",
              { "data-study": s.name },
              h("td", {}, h("a", { href: links.study(s.id) }, s.name)),
              h("td", {}, s.directions.map((d) => d.toLowerCase()).join(", ")),
              h("td", {}, s.sampler.type),
              h("td", {}, s.pruner.type),
              h("td", {}, counts(s)),
              h("td", { class: "num" }, s.bestTrial?.values ? `${s.bestTrial.values.map(formatNumber).join(", ")}` : "–", s.bestTrial ? h("span", { class: "muted" }, ` #${s.bestTrial.number}`) : null),
              h("td", { title: formatTime(s.lastActivityAt) }, formatAgo(s.lastActivityAt)),
            ),
          ),
        ),
      ),
    );
    const page = before.length;
    fill(
      pager,
      h("button", { type: "button", disabled: page === 0, onclick: () => ((after = before.pop() ?? null), void load()) }, "‹ Previous"),
      h("span", { class: "page-info" }, `${page * PAGE + 1}–${page * PAGE + studies.length} of ${total} studies`),
      h("button", { type: "button", disabled: !pageInfo.hasNextPage, onclick: () => (before.push(after), (after = pageInfo.endCursor), void load()) }, "Next ›"),
    );
  };

  let debounce: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      before = [];
      after = null;
      void load();
    }, 200);
  });
  void load();
  const timer = setInterval(() => void load(), 10_000);
  return () => {
    clearInterval(timer);
    clearTimeout(debounce);
    generation++;
  };
};

function counts(s: StudyItem): HTMLElement {
  const parts: [TrialState, number][] = [
    ["COMPLETE", s.complete],
    ["PRUNED", s.pruned],
    ["RUNNING", s.running],
    ["FAIL", s.fail],
    ["WAITING", s.waiting],
  ];
  return h(
    "span",
    { class: "counts", title: `${s.total} trials` },
    h("strong", {}, String(s.total)),
    ...parts.filter(([, n]) => n > 0).map(([state, n]) => {
      const badge = stateBadge(state);
      badge.textContent = `${n} ${state.toLowerCase()}`;
      return badge;
    }),
  );
}
