// Page-wide helpers (every page): destructive forms ask first, Esc closes the user menu.
// No inline scripts (strict CSP): questions come from data-confirm attributes.
(function () {
  "use strict";

  // A form (or its submit button) with data-confirm asks before it is sent. Without
  // JavaScript the server answers such a form with a page that asks; a form confirmed here
  // carries confirm=yes, so that page is skipped. Runs in the capture phase, before the
  // dashboard's own handler of All on/All off, and stops it when the answer is no.
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const submitter = event.submitter;
    const question = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (!question) { return; }
    if (!window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    let flag = form.querySelector('input[name="confirm"]');
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirm";
      form.appendChild(flag);
    }
    flag.value = "yes";
  }, true);

  // Esc closes an open user menu and gives the focus back to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.usermenu[open]").forEach(function (menu) {
      menu.open = false;
      const summary = menu.querySelector("summary");
      if (summary) { summary.focus(); }
    });
  });
}());
