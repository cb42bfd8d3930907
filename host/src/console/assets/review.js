// Vigie console: the Review page's keyboard shortcuts and "select all".
// Plain JavaScript, no build step. Every decision still goes through the
// page's own forms (a shortcut clicks the focused item's button), so the
// server checks the role and the CSRF token as for a click.
//
//   j / k  next / previous waiting item      x  select or unselect it
//   a      approve it                        r  reject it
//   ?      show or hide the list             Esc  hide the list
//
// Nothing fires while typing in a text field, a text area or a list.
(function () {
  "use strict";
  var table = document.querySelector("table.review.pending");
  if (!table) {
    return;
  }
  var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr.item"));
  var help = document.getElementById("shortcuts");
  var all = document.getElementById("select-all");
  var current = -1;

  function picks() {
    return Array.prototype.slice.call(table.querySelectorAll("input.pick"));
  }

  function focusRow(i) {
    if (!rows.length) {
      return;
    }
    i = Math.max(0, Math.min(rows.length - 1, i));
    if (current >= 0 && rows[current]) {
      rows[current].classList.remove("focused");
    }
    current = i;
    rows[i].classList.add("focused");
    rows[i].focus();
    if (rows[i].scrollIntoView) {
      rows[i].scrollIntoView({ block: "nearest" });
    }
  }

  function syncAll() {
    if (all) {
      var boxes = picks();
      all.checked = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
    }
  }

  function press(verdict) {
    if (current < 0 || !rows[current]) {
      return;
    }
    var button = rows[current].querySelector(
      "form.decide button[name=verdict][value=" + verdict + "]"
    );
    if (button) {
      button.click();
    }
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    var tag = target.tagName.toUpperCase();
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var type = (target.getAttribute("type") || "text").toLowerCase();
      return type !== "checkbox" && type !== "radio" && type !== "button" && type !== "submit";
    }
    return false;
  }

  if (all) {
    all.addEventListener("change", function () {
      picks().forEach(function (b) { b.checked = all.checked; });
    });
  }
  picks().forEach(function (b) {
    b.addEventListener("change", syncAll);
  });
  rows.forEach(function (row, i) {
    row.addEventListener("focusin", function () {
      if (current !== i) {
        if (current >= 0 && rows[current]) {
          rows[current].classList.remove("focused");
        }
        current = i;
        row.classList.add("focused");
      }
    });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented || typing(e.target)) {
      return;
    }
    switch (e.key) {
      case "j":
        focusRow(current + 1);
        break;
      case "k":
        focusRow(current < 0 ? 0 : current - 1);
        break;
      case "x":
        if (current >= 0 && rows[current]) {
          var box = rows[current].querySelector("input.pick");
          if (box) {
            box.checked = !box.checked;
            syncAll();
          }
        }
        break;
      case "a":
        press("approved");
        break;
      case "r":
        press("rejected");
        break;
      case "?":
        if (help) {
          help.hidden = !help.hidden;
        }
        break;
      case "Escape":
        if (help) {
          help.hidden = true;
        }
        return;
      default:
        return;
    }
    e.preventDefault();
  });
})();
