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

// Choosing another account switches to it (the form keeps a Switch button without JavaScript).
document.addEventListener("change", (e) => {
  if (e.target.matches("select[data-submit-on-change]")) e.target.form.submit();
});
// A menu item closes its dropdown menu (<details>) as its form is sent.
document.addEventListener("click", (e) => {
  const item = e.target.closest("[data-closes-menu]");
  if (item) item.closest("details")?.removeAttribute("open");
});
// A held order arriving on the live orders list brings the bulk-release bar with it.
document.addEventListener("htmx:afterSwap", () => {
  const bar = document.getElementById("bulk-release");
  if (bar && bar.hidden && document.querySelector("input[form='bulk-release']")) bar.hidden = false;
});
