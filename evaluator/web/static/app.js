// Progressive enhancement for the offer form. Without this file the "Add" and "Remove" buttons
// submit the form and the server redraws it; with it, rows are added and removed in place, and
// a removal can be undone.
(function () {
  "use strict";

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // Give every row of a list the index of its position: names, ids, labels, button values.
  function renumber(list) {
    var path = list.getAttribute("data-list");
    var idPrefix = list.getAttribute("data-idprefix");
    var nameRe = new RegExp("^" + escapeRegExp(path) + "\\[\\d+\\]");
    var idRe = new RegExp("^(f-" + escapeRegExp(idPrefix) + "-)\\d+(?=-|$)");
    var valueRe = new RegExp("^(remove:" + escapeRegExp(path) + ":)\\d+$");
    var rows = list.querySelectorAll(":scope > .rows > .row");
    rows.forEach(function (row, index) {
      row.setAttribute("data-index", String(index));
      row.querySelectorAll(".row-num").forEach(function (el) { el.textContent = String(index + 1); });
      row.querySelectorAll("[name]").forEach(function (el) {
        var name = el.getAttribute("name");
        if (nameRe.test(name)) { el.setAttribute("name", name.replace(nameRe, path + "[" + index + "]")); }
      });
      ["id", "for"].forEach(function (attr) {
        row.querySelectorAll("[" + attr + "]").forEach(function (el) {
          el.setAttribute(attr, el.getAttribute(attr).replace(idRe, "$1" + index));
        });
      });
      row.querySelectorAll("[aria-describedby]").forEach(function (el) {
        var ids = el.getAttribute("aria-describedby").split(" ").map(function (id) {
          return id.replace(idRe, "$1" + index);
        });
        el.setAttribute("aria-describedby", ids.join(" "));
      });
      row.querySelectorAll("button.remove").forEach(function (el) {
        el.value = el.value.replace(valueRe, "$1" + index);
      });
    });
  }

  function announce(text) {
    var live = document.getElementById("live");
    if (live) { live.textContent = text; }
  }

  function addRow(list) {
    var template = document.getElementById("tpl-" + list.getAttribute("data-idprefix"));
    var rows = list.querySelector(":scope > .rows");
    if (!template || !rows) { return; }
    var index = rows.querySelectorAll(":scope > .row").length;
    var html = template.innerHTML.replace(/__i__/g, String(index)).replace(/__n__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    var row = rows.lastElementChild;
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    announce(list.getAttribute("data-noun") + " " + (index + 1) + " added");
  }

  // A removed row is kept, with everything typed in it, until the list changes again: an
  // "Undo" button stands where it was and puts it back.
  function dropUndo(list) {
    list.querySelectorAll(":scope > .rows > .undo-removal").forEach(function (el) { el.remove(); });
  }

  function removeRow(list, row) {
    var noun = list.getAttribute("data-noun");
    var number = row.querySelector(".row-num");
    var label = noun + " " + (number ? number.textContent : "");
    dropUndo(list);
    var notice = document.createElement("p");
    notice.className = "undo-removal";
    notice.appendChild(document.createTextNode(label + " removed. "));
    var undo = document.createElement("button");
    undo.type = "button";
    undo.className = "undo";
    undo.textContent = "Undo: put " + label + " back";
    notice.appendChild(undo);
    row.replaceWith(notice);
    notice.removedRow = row;
    renumber(list);
    undo.focus();
    announce(label + " removed; the Undo button puts it back");
  }

  function undoRemoval(list, notice) {
    var row = notice.removedRow;
    notice.replaceWith(row);
    renumber(list);
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    announce(list.getAttribute("data-noun") + " " + (Number(row.getAttribute("data-index")) + 1) + " put back");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.add, button.remove, button.undo");
    if (!button) { return; }
    var list = button.closest(".repeat");
    if (!list) { return; }
    event.preventDefault();
    if (button.classList.contains("undo")) {
      undoRemoval(list, button.closest(".undo-removal"));
    } else if (button.classList.contains("add")) {
      dropUndo(list);
      addRow(list);
    } else {
      removeRow(list, button.closest(".row"));
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) { summary.focus(); }
  });
})();
