// The post-check console's keys and dialogs (issue 24). Served from /static/console.js (CSP script-src
// 'self'); the pages work without it (a decision then asks to confirm on a page of its own).
//   queue: j/k or ↓/↑ move, Enter/o open, x select, a approve the selection, / search, ? help
//   copy:  j/k or →/← next/previous, a approve, r revoke, u back, ? help
// In a dialog, Enter accepts (the confirm button has the focus) and Esc cancels.
(() => {
  "use strict";
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
  const kind = document.body.dataset.page;

  const anyOpen = () => $$("dialog").some((d) => d.open);
  // Keys go to the page unless the officer is typing (a checkbox or a button is not typing).
  const typing = (event) => {
    const el = event.target;
    if (!el) return false;
    if (el.tagName === "INPUT") return !["checkbox", "radio", "button", "submit"].includes(el.type);
    return el.isContentEditable || ["TEXTAREA", "SELECT"].includes(el.tagName);
  };
  const openDialog = (id) => {
    const dialog = document.getElementById(id);
    if (!dialog || dialog.open) return;
    dialog.showModal();
    const first = $("[autofocus]", dialog);
    if (first) first.focus();
  };
  const go = (sel) => {
    const link = $(sel);
    if (link) window.location.assign(link.href);
  };

  $$("[data-dialog]").forEach((button) =>
    button.addEventListener("click", (event) => {
      if (button.disabled) return;
      event.preventDefault();
      openDialog(button.dataset.dialog);
    }),
  );
  $$("[data-close]").forEach((button) =>
    button.addEventListener("click", () => button.closest("dialog").close()),
  );
  // One decision per click: a form is sent once, its buttons then wait.
  $$("form[method=post]").forEach((form) =>
    form.addEventListener("submit", () => {
      window.setTimeout(() => $$("button", form).forEach((b) => (b.disabled = true)), 0);
      $$(`button[form="${form.id}"]`).forEach((b) => window.setTimeout(() => (b.disabled = true), 0));
    }),
  );

  // --- the queue: a current row, and the batch selection --------------------------------------------
  const rows = $$("tr.copy-row");
  let current = -1;
  const setCurrent = (index) => {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("current", i === current));
    rows[current].scrollIntoView({ block: "nearest" });
  };
  rows.forEach((row, i) =>
    row.addEventListener("click", (event) => {
      if (event.target.closest("a, input, button")) return;
      setCurrent(i);
      window.location.assign(row.dataset.href);
    }),
  );
  const picks = $$("input.pick");
  const batchButton = $("#batch-approve");
  const updatePicks = () => {
    const n = picks.filter((p) => p.checked).length;
    const count = $("#batch-count");
    if (count) count.textContent = String(n);
    if (batchButton) batchButton.disabled = n === 0;
    const dialog = $("#batch-dialog");
    if (dialog) $("#batch-q").textContent = dialog.dataset.template.replace("{n}", String(n));
  };
  picks.forEach((p) => p.addEventListener("change", updatePicks));
  const all = $("#pick-all");
  if (all)
    all.addEventListener("change", () => {
      picks.forEach((p) => (p.checked = all.checked));
      updatePicks();
    });
  updatePicks();

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (anyOpen() || typing(event)) return;
    const key = event.key;
    let handled = true;
    if (key === "?") openDialog("help");
    else if (kind === "queue") {
      if (key === "j" || key === "ArrowDown") setCurrent(current + 1);
      else if (key === "k" || key === "ArrowUp") setCurrent(current < 0 ? 0 : current - 1);
      else if ((key === "Enter" || key === "o") && current >= 0) window.location.assign(rows[current].dataset.href);
      else if (key === "x" && current >= 0) {
        const pick = $("input.pick", rows[current]);
        if (pick) {
          pick.checked = !pick.checked;
          updatePicks();
        }
      } else if (key === "a" && batchButton && !batchButton.disabled) openDialog("batch-dialog");
      else if (key === "/") $("#search").focus();
      else handled = false;
    } else if (kind === "copy") {
      if (key === "j" || key === "ArrowRight") go("#next-copy");
      else if (key === "k" || key === "ArrowLeft") go("#prev-copy");
      else if (key === "a" && $("#approve-dialog")) openDialog("approve-dialog");
      else if (key === "r" && $("#revoke-dialog")) openDialog("revoke-dialog");
      else if (key === "u") go("#back");
      else handled = false;
    } else handled = false;
    if (handled) event.preventDefault();
  });
})();
