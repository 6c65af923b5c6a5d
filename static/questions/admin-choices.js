// Choices in the question form: ↑ and ↓ move a row, and every row is numbered in order.
(function () {
  "use strict";
  function rows(table) {
    return Array.prototype.filter.call(table.querySelectorAll("tbody tr.form-row"), function (row) {
      return !row.classList.contains("empty-form");
    });
  }
  function renumber(table) {
    rows(table).forEach(function (row, index) {
      var order = row.querySelector("input.choice-order");
      if (order) order.value = index;
    });
  }
  function move(row, step) {
    var table = row.closest("table");
    var list = rows(table);
    var to = list[list.indexOf(row) + step];
    if (!to) return;
    if (step < 0) to.before(row); else to.after(row);
    renumber(table);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var table = document.querySelector("#choices-group table");
    if (!table) return;
    rows(table).forEach(function (row) {
      var cell = row.querySelector("td.field-order");
      if (!cell) return;
      [["↑", -1, "Move up"], ["↓", 1, "Move down"]].forEach(function (spec) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = spec[0];
        button.setAttribute("aria-label", spec[2]);
        button.addEventListener("click", function () { move(row, spec[1]); });
        cell.appendChild(button);
      });
    });
  });
})();
