// Vigie console: the Live page's stream. Plain JavaScript, no build step.
// Rows are built with textContent only: nothing from an event is ever
// parsed as HTML.
(function () {
  "use strict";
  var body = document.getElementById("live-rows");
  if (!body || !window.EventSource) {
    return;
  }
  var status = document.getElementById("live-status");
  var empty = document.getElementById("live-empty");
  var MAX_ROWS = 500;
  var skipped = 0;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
  }

  function add(item) {
    var row = document.createElement("tr");
    row.className = String(item.type || "");
    cell(row, item.time, "time");
    cell(row, item.community);
    cell(row, item.channel);
    cell(row, item.what, "what");
    cell(row, item.who);
    cell(row, item.text, "text");
    cell(row, item.reason);
    body.insertBefore(row, body.firstChild);
    while (body.rows.length > MAX_ROWS) {
      body.deleteRow(body.rows.length - 1);
    }
    if (empty) {
      empty.remove();
      empty = null;
    }
  }

  var source = new EventSource(body.getAttribute("data-stream"));
  source.onopen = function () {
    say(status.getAttribute("data-live"));
  };
  source.onerror = function () {
    say(status.getAttribute("data-lost"));
  };
  source.addEventListener("item", function (e) {
    try {
      add(JSON.parse(e.data));
    } catch (err) {
      // A row that does not parse is skipped, never shown as markup.
    }
  });
  source.addEventListener("lagged", function (e) {
    skipped += parseInt(e.data, 10) || 0;
    say(status.getAttribute("data-live") + " · " + status.getAttribute("data-lagged") + " " + skipped);
  });
})();
