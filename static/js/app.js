// The countdown only displays the server's deadline; the server enforces it.
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
        if (warning) warning.textContent = "Time is up. Your exam is being scored.";
        var form = document.getElementById("timeout-form");
        if (form) form.submit();
      }
    }
    var interval = setInterval(tick, 1000);
  }

  function shortcuts(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.tagName === "TEXTAREA" || (target.tagName === "INPUT" && /text|password|email|search/.test(target.type)))) return;
    var key = event.key.toLowerCase();
    var element = document.querySelector('#question-area [data-shortcut="' + key + '"]');
    if (!element || element.disabled) return;
    event.preventDefault();
    element.click();
    if (element.tagName === "INPUT") element.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    startTimer();
    if (document.getElementById("question-area")) document.addEventListener("keydown", shortcuts);
  });

  // Practice feedback replaces the question: bring the verdict into view and to screen readers.
  document.addEventListener("htmx:afterSwap", function (event) {
    var feedback = event.detail.target.querySelector && event.detail.target.querySelector("#feedback");
    if (feedback) feedback.focus();
  });

  // Refusals come back with a message worth showing: a late answer (409), a selection that
  // does not fit (400), too many tries (429). A logged-out learner (401) is told so at the top
  // of the page, whatever the request was, with a link that logs in and returns here.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) {
      event.detail.target = document.getElementById("connection-status");
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
