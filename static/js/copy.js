// Copy buttons: <button data-copy="ID"> copies the value of the field with that id.
// A static file (no inline script), loaded once however many partials include it.
if (!window.wixomsCopy) {
  window.wixomsCopy = true;
  document.addEventListener("click", (e) => {
    const button = e.target.closest("[data-copy-field]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copyField);
    if (!field) return;
    field.select();
    const done = () => { button.textContent = "Copied"; setTimeout(() => { button.textContent = "Copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, () => { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
}
