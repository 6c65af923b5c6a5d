// The countdown only displays the server's deadline; the server enforces it. Everything here
// makes plain forms smoother; each page works without it.
(function () {
  "use strict";

  function formatClock(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  function startTimer() {
    var timer = document.getElementById("timer");
    if (!timer) return;
    var warning = document.getElementById("time-warning");
    var endsAt = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
    var warned = { 600: false, 60: false };
    var messages = { 600: "10 minutes left.", 60: "1 minute left." };
    Object.keys(warned).forEach(function (limit) {
      if (Number(timer.dataset.secondsLeft) <= Number(limit)) warned[limit] = true;
    });
    function tick() {
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      timer.textContent = formatClock(left);
      timer.classList.toggle("low", left <= 600);
      Object.keys(warned).forEach(function (limit) {
        if (!warned[limit] && left <= Number(limit)) {
          warned[limit] = true;
          if (warning) warning.textContent = messages[limit];
        }
      });
      if (left === 0) {
        clearInterval(interval);
        timeUp(warning);
      }
    }
    var interval = setInterval(tick, 1000);
  }

  // At zero: say so, stop input, and let the server store the attempt as expired.
  function timeUp(warning) {
    if (warning) warning.textContent = "Time is up. Your exam is being scored.";
    document.querySelectorAll("[data-shortcuts] input, [data-shortcuts] button").forEach(function (el) {
      el.disabled = true;
    });
    var form = document.getElementById("timeout-form");
    if (form) setTimeout(function () { form.submit(); }, 1500);
  }

  function shortcuts(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && /text|password|email|search/.test(target.type)))) return;
    var digit = /^Digit([1-6])$/.exec(event.code || "");
    var selector;
    if (event.shiftKey && digit) selector = '[data-shortcuts] [data-strike="' + digit[1] + '"]';
    else if (!event.shiftKey) selector = '[data-shortcuts] [data-shortcut="' + event.key.toLowerCase() + '"]';
    var element = selector && document.querySelector(selector);
    if (!element || element.disabled) return;
    event.preventDefault();
    element.click();
    if (element.tagName === "INPUT") element.focus();
  }

  // A multiple-response question takes no more picks than it asks for: the extra pick is
  // undone here and said, and the server refuses it too.
  function limitPicks(event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked || !input.closest("#answer-form")) return;
    var count = document.getElementById("pick-count");
    var required = count ? Number(count.dataset.required) : 0;
    var checked = document.querySelectorAll('#answer-form input[name="choice"]:checked').length;
    if (required && checked > required) {
      input.checked = false;
      event.stopImmediatePropagation();
      var status = document.getElementById("save-status");
      if (status) status.textContent = "Choose at most " + required + "; your earlier selection is kept.";
    }
  }

  // Submitting asks first: the dialog names the unanswered, incomplete and flagged counts.
  function confirmBeforeSubmit(event) {
    var form = event.target;
    var dialog = form.dataset && form.dataset.confirmDialog && document.getElementById(form.dataset.confirmDialog);
    if (!dialog || typeof dialog.showModal !== "function") return;
    event.preventDefault();
    dialog.showModal();
  }

  document.addEventListener("click", function (event) {
    var closer = event.target.closest && event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });

  document.addEventListener("DOMContentLoaded", function () {
    startTimer();
    var area = document.querySelector("[data-shortcuts]");
    if (area) {
      document.addEventListener("keydown", shortcuts);
      // After Next or Previous the new question's heading takes focus, so it is read first.
      var heading = document.getElementById("question-heading");
      if (heading) heading.focus({ preventScroll: true });
    }
  });
  document.addEventListener("change", limitPicks, true);
  document.addEventListener("submit", confirmBeforeSubmit);

  // Practice feedback replaces the question: bring the verdict into view and to screen readers.
  // Previous, Next and the navigator bring another question in place: its heading is read first.
  document.addEventListener("htmx:afterSwap", function (event) {
    var feedback = event.detail.target.querySelector && event.detail.target.querySelector("#feedback");
    if (feedback) feedback.focus();
    if (event.detail.target.id === "question-area") {
      var heading = document.getElementById("question-heading");
      if (heading) heading.focus({ preventScroll: true });
    }
  });

  // Refusals come back with a message worth showing: a late answer (409), a selection that
  // does not fit (400), too many tries (429). A logged-out learner (401) is told so at the top
  // of the page, whatever the request was, with a link that logs in and returns here.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) {
      event.detail.target = document.getElementById("connection-status");
    }
    // A refused answer is said beside the form, which stays as it was.
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var form = elt && (elt.closest("[data-error-target]") || (elt.form && elt.form.closest("[data-error-target]")));
    if (status === 400 && form) {
      event.detail.target = document.querySelector(form.dataset.errorTarget);
    }
    if (status === 400 || status === 401 || status === 409 || status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function notSaved(message) {
    var region = document.getElementById("connection-status");
    if (region) region.textContent = message;
  }

  document.addEventListener("htmx:responseError", function (event) {
    notSaved("Not saved: the server could not take that change (error " + event.detail.xhr.status + "). Your earlier answers are kept; try again.");
  });

  document.addEventListener("htmx:sendError", function () {
    notSaved("Not saved: the server cannot be reached. Check your connection and try again; your earlier answers are kept.");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var region = document.getElementById("connection-status");
    if (event.detail.successful && region && !region.querySelector(".logged-out")) region.textContent = "";
  });
})();
