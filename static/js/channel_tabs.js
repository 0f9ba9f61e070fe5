// The channel page's tab bar is one line that scrolls sideways when narrow: keep the selected
// tab (and its error marker) in view, on load, on resize and whenever another tab is chosen.
// Only the bar scrolls, never the page.
(() => {
  const reveal = () => {
    const tab = document.querySelector("[role=tablist] [role=tab][aria-selected=true]");
    if (!tab) return;
    const bar = tab.closest("[role=tablist]");
    const t = tab.getBoundingClientRect();
    const b = bar.getBoundingClientRect();
    if (t.right > b.right) bar.scrollLeft += t.right - b.right + 8;
    else if (t.left < b.left) bar.scrollLeft -= b.left - t.left + 8;
  };
  document.addEventListener("DOMContentLoaded", reveal);
  window.addEventListener("resize", reveal);
  document.addEventListener("click", (e) => { if (e.target.closest("[role=tab], [data-tab-link]")) setTimeout(reveal, 0); });
})();
