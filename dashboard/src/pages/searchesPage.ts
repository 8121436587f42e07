import type { Search, Study } from "../../../client-sdk/src/index";
import { gt, query } from "../api/connection";
import { STUDY_SEARCHES } from "../api/queries";
import type { JsonValue } from "../api/types";
import { card, fill, h, note } from "../ui/dom";
import { formatAgo, formatNumber, formatTime } from "../ui/format";
import { links, type Page } from "./page";

interface SearchItem {
  id: string;
  state: "QUEUED" | "RUNNING" | "COMPLETED" | "CANCELLED" | "FAILED";
  nTrials: number | null;
  timeoutSeconds: number | null;
  concurrency: number;
  maxRetries: number;
  task: Record<string, JsonValue>;
  endReason: string | null;
  completedTrials: number;
  runningTrials: number;
  prunedTrials: number;
  failedTrials: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  evaluation: { state: string; metrics: JsonValue | null };
  bestTrial: { id: string; number: number; values: number[] | null } | null;
}

const ACTIVE = new Set(["QUEUED", "RUNNING"]);
const EXECUTORS_EVERY_MS = 5000;

/** Start, watch and cancel searches of a study; the executors that run them. */
export const searchesPage: Page = (root, [studyId]) => {
  const stop = new AbortController();
  const watching = new Map<string, AbortController>();
  const studySelect = h("select", { "aria-label": "study", onchange: () => (location.hash = links.searches(studySelect.value)) }) as HTMLSelectElement;
  const formBox = h("div", {});
  const listBox = h("div", { class: "table-wrap" });
  const executorsBox = h("div", { class: "table-wrap" });
  const trainers = h("datalist", { id: "trainers" });
  fill(
    root,
    h("div", { class: "page-head" }, h("h1", {}, "Searches"), h("label", { class: "inline" }, "Study ", studySelect)),
    card("Start a search", formBox, trainers),
    card("Searches of this study", listBox),
    card("Executors", executorsBox),
  );

  let study: Study | null = null;
  let items: SearchItem[] = [];

  const renderList = () => {
    if (!study) return;
    if (!items.length) {
      fill(listBox, note("No searches yet. Start one above; executors (`graphtune worker`, or the one `npm start` runs) pick it up."));
      return;
    }
    fill(
      listBox,
      h(
        "table",
        { class: "data searches" },
        h("thead", {}, h("tr", {}, ...["#", "State", "Task", "Progress", "Running", "Pruned", "Failed", "Best", "Created", "Ended", ""].map((t) => h("th", {}, t)))),
        h(
          "tbody",
          {},
          items.map((s) =>
            h(
              "tr",
              { "data-search": s.id },
              h("td", {}, s.id),
              h("td", {}, h("span", { class: `badge search-${s.state.toLowerCase()}` }, s.state), s.endReason ? h("div", { class: "muted small" }, s.endReason) : null),
              h("td", { class: "task", title: JSON.stringify(s.task) }, describeTask(s.task)),
              h("td", {}, progress(s)),
              h("td", { class: "num" }, String(s.runningTrials)),
              h("td", { class: "num" }, String(s.prunedTrials)),
              h("td", { class: "num" }, String(s.failedTrials)),
              h("td", { class: "num" }, s.bestTrial ? h("a", { href: links.trial(s.bestTrial.id) }, `${s.bestTrial.values?.map(formatNumber).join(", ") ?? "–"} (#${s.bestTrial.number})`) : "–"),
              h("td", { title: formatTime(s.createdAt) }, formatAgo(s.createdAt)),
              h("td", { title: formatTime(s.endedAt) }, s.endedAt ? formatAgo(s.endedAt) : "–"),
              h("td", {}, ACTIVE.has(s.state) ? h("button", { type: "button", class: "danger", "data-cancel": s.id, onclick: (e: Event) => void cancel(s.id, e.target as HTMLButtonElement) }, "Cancel") : null),
            ),
          ),
        ),
      ),
    );
  };

  const cancel = async (id: string, button: HTMLButtonElement) => {
    button.disabled = true;
    try {
      const search = await gt.getSearch(id);
      await search.cancel();
      await loadSearches();
    } catch (error) {
      button.disabled = false;
      button.after(note(`Could not cancel: ${(error as Error).message}`, "error"));
    }
  };

  /** Follows an active search live (Search.progress) until it ends. */
  const watch = (id: string) => {
    if (watching.has(id)) return;
    const controller = new AbortController();
    watching.set(id, controller);
    stop.signal.addEventListener("abort", () => controller.abort(), { once: true });
    void (async () => {
      let search: Search;
      try {
        search = await gt.getSearch(id);
        for await (const snapshot of search.progress({ signal: controller.signal })) {
          const i = items.findIndex((s) => s.id === id);
          if (i >= 0) items[i] = { ...items[i], ...(snapshot as unknown as SearchItem) };
          renderList();
        }
      } catch (error) {
        console.warn(`progress of search ${id} stopped`, error);
      } finally {
        watching.delete(id);
      }
    })();
  };

  const loadSearches = async () => {
    if (!study) return;
    const data = await query<{ study: { searches: SearchItem[] } | null }>(STUDY_SEARCHES, { id: study.id });
    items = data.study?.searches ?? [];
    renderList();
    for (const s of items) if (ACTIVE.has(s.state)) watch(s.id);
  };

  const renderForm = (s: Study) => {
    const field = (label: string, input: HTMLElement, hint?: string) => h("label", { class: "field" }, h("span", {}, label), input, hint ? h("small", { class: "muted" }, hint) : null);
    const trainer = h("input", { name: "trainer", list: "trainers", required: true, placeholder: "tfjs-mlp or command", value: "tfjs-mlp" }) as HTMLInputElement;
    const dataset = h("input", { name: "dataset", placeholder: "digits" }) as HTMLInputElement;
    const argv = h("input", { name: "argv", placeholder: 'python3 train.py --lr {lr}  or  ["python3", "train.py"]' }) as HTMLInputElement;
    const extra = h("input", { name: "extra", placeholder: '{"epochs": 30}' }) as HTMLInputElement;
    const nTrials = h("input", { name: "nTrials", type: "number", min: 1, value: 20, class: "narrow" }) as HTMLInputElement;
    const timeout = h("input", { name: "timeoutSeconds", type: "number", min: 1, placeholder: "none", class: "narrow" }) as HTMLInputElement;
    const concurrency = h("input", { name: "concurrency", type: "number", min: 1, value: 1, class: "narrow" }) as HTMLInputElement;
    const retries = h("input", { name: "maxRetries", type: "number", min: 0, value: 0, class: "narrow" }) as HTMLInputElement;
    const message = h("div", { class: "form-message" });
    const form = h(
      "form",
      { class: "search-form" },
      h("div", { class: "fields" }, field("Trainer", trainer), field("Dataset", dataset, "for tfjs trainers"), field("Command (argv)", argv, "for the command trainer; {param} is replaced"), field("More task settings (JSON)", extra)),
      h("div", { class: "fields" }, field("Trials", nTrials), field("Timeout (s)", timeout), field("Concurrency", concurrency), field("Retries", retries), h("button", { type: "submit", class: "primary" }, "Start search")),
      message,
    ) as HTMLFormElement;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      message.replaceChildren();
      let task: { trainer: string } & Record<string, JsonValue>;
      try {
        task = { trainer: trainer.value.trim(), ...parseExtra(extra.value) };
        if (dataset.value.trim()) task.dataset = dataset.value.trim();
        if (argv.value.trim()) task.argv = parseArgv(argv.value);
      } catch (error) {
        fill(message, note((error as Error).message, "error"));
        return;
      }
      const num = (i: HTMLInputElement) => (i.value === "" ? undefined : Number(i.value));
      try {
        const search = await s.startSearch({ task, nTrials: num(nTrials), timeoutSeconds: num(timeout), concurrency: num(concurrency), maxRetries: num(retries) });
        fill(message, note(`Search ${search.id} started (${search.state.toLowerCase()}).`));
        await loadSearches();
      } catch (error) {
        fill(message, note(`Could not start the search: ${(error as Error).message}`, "error"));
      }
    });
    fill(formBox, form);
  };

  const loadExecutors = async () => {
    try {
      const executors = await gt.executors();
      const names = new Set(["tfjs-mlp", "command", ...executors.flatMap((e) => e.trainers)]);
      fill(trainers, [...names].map((n) => h("option", { value: n })));
      fill(
        executorsBox,
        executors.length
          ? h(
              "table",
              { class: "data" },
              h("thead", {}, h("tr", {}, ...["Host", "Device", "Backend", "Trainers", "Last seen", "Current trial"].map((t) => h("th", {}, t)))),
              h(
                "tbody",
                {},
                executors.map((e) =>
                  h(
                    "tr",
                    {},
                    h("td", {}, e.host),
                    h("td", {}, e.device),
                    h("td", {}, e.backend),
                    h("td", {}, e.trainers.join(", ") || "any"),
                    h("td", { title: formatTime(e.lastSeenAt) }, formatAgo(e.lastSeenAt)),
                    h("td", {}, e.currentTrial ? h("a", { href: links.trial(e.currentTrial.id) }, `#${e.currentTrial.number}`) : h("span", { class: "muted" }, "idle")),
                  ),
                ),
              ),
            )
          : note("No executor is connected: searches stay QUEUED until one is. Start one with `graphtune worker` (npm start runs one)."),
      );
    } catch (error) {
      fill(executorsBox, note(`Could not list the executors: ${(error as Error).message}`, "error"));
    }
  };

  void (async () => {
    try {
      const studies = await gt.getAllStudies();
      if (!studies.length) {
        fill(formBox, note("No studies yet: create one first."));
        return;
      }
      study = studies.find((s) => s.id === studyId) ?? studies[studies.length - 1];
      fill(studySelect, studies.map((s) => h("option", { value: s.id, selected: s.id === study!.id }, s.name)));
      renderForm(study);
      await loadSearches();
    } catch (error) {
      fill(listBox, note(`Could not load the searches: ${(error as Error).message}`, "error"));
    }
  })();
  void loadExecutors();
  const timer = setInterval(() => void loadExecutors(), EXECUTORS_EVERY_MS);

  return () => {
    clearInterval(timer);
    stop.abort();
  };
};

function progress(s: SearchItem): HTMLElement {
  const done = s.completedTrials + s.failedTrials;
  const fraction = s.nTrials ? Math.min(1, s.completedTrials / s.nTrials) : 0;
  return h(
    "div",
    { class: "progress-cell" },
    h("span", { class: "progress" }, h("span", { style: `width:${(fraction * 100).toFixed(1)}%` })),
    h("span", { class: "small" }, s.nTrials ? `${s.completedTrials} / ${s.nTrials}` : `${done} trials`, s.timeoutSeconds ? ` · ${s.timeoutSeconds} s limit` : "", ` · ×${s.concurrency}`),
  );
}

function describeTask(task: Record<string, JsonValue>): string {
  const { trainer, ...rest } = task;
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== null && v !== undefined && !(typeof v === "object" && Object.keys(v).length === 0))
    .slice(0, 4)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(" ") : typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return [String(trainer), ...parts].join(" · ");
}

/** argv as a JSON array, or split on spaces. */
function parseArgv(text: string): string[] {
  const t = text.trim();
  if (t.startsWith("[")) {
    const parsed = JSON.parse(t) as unknown;
    if (!Array.isArray(parsed) || parsed.some((a) => typeof a !== "string")) throw new Error('Command must be a JSON array of strings, e.g. ["python3", "train.py"], or words separated by spaces.');
    return parsed as string[];
  }
  return t.split(/\s+/);
}

function parseExtra(text: string): Record<string, JsonValue> {
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error('More task settings must be a JSON object, e.g. {"epochs": 30}.');
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error('More task settings must be a JSON object, e.g. {"epochs": 30}.');
  return parsed as Record<string, JsonValue>;
}
