import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { comparePage } from "./pages/comparePage";
import type { Page } from "./pages/page";
import { searchesPage } from "./pages/searchesPage";
import { studiesPage } from "./pages/studiesPage";
import { studyPage } from "./pages/studyPage";
import { trialPage } from "./pages/trialPage";
import { installApiKeyBar } from "./ui/apiKeyBar";

/** Hash routes: #/, #/study/ID, #/trial/ID, #/searches[/STUDY_ID], #/compare[/ID,ID,...]. */
const routes: Record<string, { page: Page; nav: string }> = {
  "": { page: studiesPage, nav: "studies" },
  study: { page: studyPage, nav: "studies" },
  trial: { page: trialPage, nav: "studies" },
  searches: { page: searchesPage, nav: "searches" },
  compare: { page: comparePage, nav: "compare" },
};

const root = document.getElementById("app")!;
let dispose: (() => void) | void;

function route(): void {
  const [name = "", ...args] = location.hash.replace(/^#\/?/, "").split("/");
  const found = routes[name] ?? routes[""];
  dispose?.();
  root.replaceChildren();
  for (const a of document.querySelectorAll<HTMLElement>("[data-nav]")) a.classList.toggle("active", a.dataset.nav === found.nav);
  dispose = found.page(root, args.map(decodeURIComponent));
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", route);
installApiKeyBar(route);
route();
