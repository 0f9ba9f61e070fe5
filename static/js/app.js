// A few lines htmx cannot do: warn before leaving a page with unsaved edits.
document.addEventListener("input", (e) => {
  const form = e.target.closest("form[data-dirty-warn]");
  if (form) { form.dataset.dirty = "1"; document.body.classList.add("has-unsaved"); }
});
document.addEventListener("submit", (e) => {
  if (e.target.matches("form[data-dirty-warn]")) { e.target.dataset.dirty = ""; document.body.classList.remove("has-unsaved"); }
});
window.addEventListener("beforeunload", (e) => {
  if (document.querySelector("form[data-dirty-warn][data-dirty='1']")) { e.preventDefault(); e.returnValue = ""; }
});
