import { AUTH_NEEDED, hasApiKey, setApiKey } from "../api/connection";
import { fill, h } from "./dom";

/**
 * A bar under the header for the API key, shown when the server asks for credentials (or from the
 * header's "API key" link). The key stays in this browser's local storage.
 */
export function installApiKeyBar(onChange: () => void): void {
  const bar = h("div", { class: "key-bar", hidden: true });
  document.querySelector(".topbar")!.after(bar);
  const show = (message?: string) => {
    const input = h("input", { type: "password", placeholder: "API key", "aria-label": "API key", class: "narrow-text", autocomplete: "off" }) as HTMLInputElement;
    const form = h(
      "form",
      {},
      h("span", {}, message ? `${message} ` : "", "Enter an API key (kept in this browser):"),
      input,
      h("button", { type: "submit", class: "primary" }, "Use key"),
      hasApiKey() ? h("button", { type: "button", onclick: () => (setApiKey(null), (bar.hidden = true), onChange()) }, "Forget key") : null,
      h("button", { type: "button", onclick: () => (bar.hidden = true) }, "Close"),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      setApiKey(input.value.trim());
      bar.hidden = true;
      onChange();
    });
    fill(bar, form);
    bar.hidden = false;
    input.focus();
  };
  window.addEventListener(AUTH_NEEDED, (e) => {
    if (bar.hidden) show((e as CustomEvent<string>).detail);
  });
  document.querySelector("[data-api-key]")?.addEventListener("click", (e) => {
    e.preventDefault();
    show();
  });
}
