// The channel page: tabs switch on the client so unsaved edits in other tabs are never lost;
// plain links (?tab=…) keep working without JavaScript. Also: per-tab unsaved markers and
// copy buttons.
(() => {
  const root = document.querySelector("[data-channel-page]");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  const form = document.getElementById("channel-settings");
  const tabLinks = () => root.querySelectorAll("[role=tab][data-tab]");

  function show(key) {
    const panel = document.getElementById("tab-" + key);
    if (!panel) return false;
    tabLinks().forEach((t) => t.setAttribute("aria-selected", t.dataset.tab === key ? "true" : "false"));
    root.querySelectorAll(".tab-panel").forEach((p) => { p.hidden = p !== panel; });
    if (form) form.elements.tab.value = key;
    const url = new URL(location.href);
    url.searchParams.set("tab", key);
    ["q", "after", "before"].forEach((k) => { if (key !== "skus") url.searchParams.delete(k); });
    history.replaceState(null, "", url);
    panel.dispatchEvent(new CustomEvent("channel-tab-shown", { bubbles: true }));
    return true;
  }

  root.addEventListener("click", (e) => {
    const link = e.target.closest("[data-tab], [data-tab-link]");
    if (link && show(link.dataset.tab || link.dataset.tabLink)) {
      e.preventDefault();
      if (link.dataset.tabLink) document.getElementById("tab-link-" + link.dataset.tabLink).focus();
    }
    const copy = e.target.closest("[data-copy]");
    if (copy) {
      const field = document.getElementById(copy.dataset.copy);
      field.select();
      const done = () => { copy.textContent = "Copied"; setTimeout(() => { copy.textContent = "Copy"; }, 2000); };
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
      else if (document.execCommand("copy")) done();
    }
  });

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  root.querySelector("[role=tablist]")?.addEventListener("keydown", (e) => {
    if (!["ArrowLeft", "ArrowRight"].includes(e.key)) return;
    const links = [...tabLinks()];
    const i = links.indexOf(document.activeElement);
    if (i < 0) return;
    const next = links[(i + (e.key === "ArrowRight" ? 1 : links.length - 1)) % links.length];
    next.focus(); show(next.dataset.tab); e.preventDefault();
  });

  function markDirty(e) {
    const el = e.target;
    if (!form || el.form !== form || el.name === "tab") return;
    form.dataset.dirty = "1";
    document.body.classList.add("has-unsaved");
    const panel = el.closest(".tab-panel");
    if (panel) document.getElementById("tab-link-" + panel.dataset.key)?.classList.add("is-dirty");
  }
  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  form?.addEventListener("submit", () => { form.dataset.dirty = ""; });

  const active = root.querySelector(".tab-panel:not([hidden])");
  if (active) active.dispatchEvent(new CustomEvent("channel-tab-shown", { bubbles: true }));
})();
