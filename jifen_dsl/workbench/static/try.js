/* The Try page: a policy (its file, or the text edited here, unsaved) evaluated on an applicant file of the folder
 * or an uploaded one; filters by status, grade and failed requirement; a click on an applicant shows its
 * explanation; saved sample families are checked again after every edit of the text.
 */
(function () {
  "use strict";

  var shared = window.jifenPage;
  var say = shared.sayer(shared.words("try-words"));
  var element = shared.element;
  var post = shared.post;
  var policySelect = document.getElementById("try-policy");
  var form = document.getElementById("try-form");
  if (form) { form.addEventListener("submit", function (event) { event.preventDefault(); }); }
  if (policySelect) {
    policySelect.addEventListener("change", function () {
      if (policySelect.value) { window.location.href = "/try?path=" + encodeURIComponent(policySelect.value); }
    });
  }
  var page = document.getElementById("try-page");
  if (!page) { return; }
  var path = page.getAttribute("data-path");
  var fileSelect = document.getElementById("try-file");
  var uploadInput = document.getElementById("try-upload");
  var runButton = document.getElementById("try-run");
  var source = document.getElementById("try-source");
  var state = document.getElementById("try-state");
  var countLine = document.getElementById("try-count");
  var tbody = document.querySelector("#results tbody");
  var labels = Array.prototype.map.call(document.querySelectorAll("#results thead th"), function (th) { return th.textContent; });
  var filters = { status: document.getElementById("filter-status"), grade: document.getElementById("filter-grade"), failed: document.getElementById("filter-failed") };
  var explanation = document.getElementById("explanation");
  var explainNote = document.getElementById("explain-note");
  var saveCase = document.getElementById("save-case");
  var casesList = document.getElementById("cases");
  var savedText = source ? source.value : "";
  var edited = source && path ? shared.unsaved.get(path) : null;  // an edit left unsaved in the editor is what is tried
  if (edited !== null) { source.value = edited; }
  var MAX_ROWS = 500;
  var DELAY = 500;
  var current = { applicants: null, rows: [], picked: null };
  var timer = null;
  var asked = 0;

  function setState(text, bad) {
    state.textContent = text || "";
    state.className = "try-state" + (bad ? " bad" : "");
  }

  function failed(error) {
    var message = error && error.status ? error.message : say("failed", { reason: String(error && error.message) });
    var diagnostics = error && error.body && error.body.error && error.body.error.diagnostics;
    if (diagnostics && diagnostics.length) {
      message += "\n" + diagnostics.map(function (d) { return d.line + ":" + d.column + " " + d.message; }).join("\n");
    }
    setState(message, true);
  }

  /* The text tried: the one edited here when it differs from the file, else none (the file as saved). */
  function text() {
    return source && source.value !== savedText ? source.value : undefined;
  }

  function withText(body) {
    var edited = text();
    if (edited !== undefined) { body.text = edited; }
    return body;
  }

  function fillSelect(select, values, shown) {
    var keep = select.value;
    while (select.options.length > 1) { select.remove(1); }
    values.forEach(function (value) {
      var option = element("option", null, shown ? shown(value) : value);
      option.value = value;
      select.appendChild(option);
    });
    if (values.indexOf(keep) >= 0) { select.value = keep; }
  }

  function showRows() {
    var status = filters.status.value, grade = filters.grade.value, failedName = filters.failed.value;
    var shown = current.rows.filter(function (r) {
      if (status === "yes" && !r.eligible) { return false; }
      if (status === "no" && r.eligible) { return false; }
      if (grade && r.grade !== grade) { return false; }
      if (failedName && r.failed.indexOf(failedName) < 0) { return false; }
      return true;
    });
    tbody.textContent = "";
    shown.slice(0, MAX_ROWS).forEach(function (r) {
      var tr = element("tr");
      tr.setAttribute("data-id", r.id);
      if (r.id === current.picked) { tr.className = "picked"; }
      var cells = [
        [r.id, ""], [r.grade, ""], [r.eligible ? say("eligible") : say("not_eligible"), r.eligible ? "status-yes" : "status-no"],
        [r.failed.join("、"), ""], [r.batch || "", ""], [r.points, "num"], [r.rank === null ? "" : String(r.rank), "num"]
      ];
      cells.forEach(function (cell, i) {
        var td = element("td", cell[1], cell[0]);
        td.setAttribute("data-label", labels[i] || "");
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () { pick(r.id); });
      tbody.appendChild(tr);
    });
    var line = say("counts", { shown: shown.length, count: current.rows.length });
    if (shown.length > MAX_ROWS) { line += " " + say("more_rows", { count: MAX_ROWS }); }
    countLine.textContent = line;
  }

  function evaluate() {
    if (!current.applicants) { return Promise.resolve(); }
    var ticket = ++asked;
    setState(say("working"));
    return post("/api/evaluate", withText({ path: path, applicants: current.applicants })).then(function (data) {
      if (ticket !== asked) { return; }
      current.rows = data.rows;
      fillSelect(filters.grade, data.grades);
      var titles = {};
      data.requirements.forEach(function (r) { titles[r.name] = r.title; });
      var failedNames = [];
      data.rows.forEach(function (r) { r.failed.forEach(function (n) { if (failedNames.indexOf(n) < 0) { failedNames.push(n); } }); });
      var order = data.requirements.map(function (r) { return r.name; });
      failedNames.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
      fillSelect(filters.failed, failedNames, function (n) { return titles[n] && titles[n] !== n ? n + " - " + titles[n] : n; });
      setState("");
      showRows();
      if (current.picked) { pick(current.picked); }
    }, function (error) { if (ticket === asked) { failed(error); } });
  }

  function pick(id) {
    current.picked = id;
    Array.prototype.forEach.call(tbody.querySelectorAll("tr"), function (tr) {
      tr.className = tr.getAttribute("data-id") === id ? "picked" : "";
    });
    return post("/api/explain", withText({ path: path, applicants: current.applicants, id: id })).then(function (data) {
      if (current.picked !== id) { return; }
      explanation.textContent = data.text;
      explainNote.hidden = true;
      saveCase.hidden = false;
      if (window.innerWidth <= 760 && explanation.scrollIntoView) { explanation.scrollIntoView({ block: "start" }); }
    }, function (error) {
      explanation.textContent = error && error.message ? error.message : "";
      saveCase.hidden = true;
    });
  }

  function showCases(data) {
    casesList.textContent = "";
    if (!data.cases.length) {
      casesList.appendChild(element("li", "none", say("no_cases")));
      return;
    }
    function outcome(o) {
      return (o.eligible ? say("eligible") : say("not_eligible")) + " · " + (o.points === null ? "" : o.points) + (o.rank === null ? "" : " · #" + o.rank);
    }
    data.cases.forEach(function (c) {
      var item = element("li", c.changed ? "changed" : "");
      item.setAttribute("data-id", c.id);
      item.appendChild(element("span", "flag", c.changed ? "⚠ " + say("case_changed") : "✓ " + say("case_same")));
      item.appendChild(document.createTextNode(" " + c.id + " (" + c.grade + ")"));
      item.appendChild(element("div", null, say("expected") + ": " + outcome(c.expected)));
      if (c.changed) { item.appendChild(element("div", null, say("now") + ": " + outcome(c.now))); }
      casesList.appendChild(item);
    });
  }

  function checkCases() {
    return post("/api/cases/check", withText({ path: path })).then(showCases, function (error) {
      casesList.textContent = "";
      casesList.appendChild(element("li", "changed", error && error.message ? error.message : ""));
    });
  }

  function choose(applicants) {
    current.applicants = applicants;
    current.picked = null;
    explanation.textContent = "";
    explainNote.hidden = false;
    saveCase.hidden = true;
    return evaluate();
  }

  shared.request("/api/applicant-files?path=" + encodeURIComponent(path)).then(function (data) {
    fillSelect(fileSelect, data.files);
  }, failed);

  fileSelect.addEventListener("change", function () { if (fileSelect.value) { choose(fileSelect.value); } });
  runButton.addEventListener("click", function () {
    if (fileSelect.value && fileSelect.value !== current.applicants) { choose(fileSelect.value); } else { evaluate(); }
    checkCases();
  });
  uploadInput.addEventListener("change", function () {
    var file = uploadInput.files && uploadInput.files[0];
    if (!file) { return; }
    var body = new FormData();
    body.append("file", file, file.name);
    setState(say("working"));
    shared.request("/api/upload", { method: "POST", body: body }).then(function (data) {
        fileSelect.value = "";
        setState(say("uploaded", { name: data.name }));
        return choose(data.applicants);
      }).catch(failed);
  });
  Object.keys(filters).forEach(function (key) { filters[key].addEventListener("change", showRows); });
  saveCase.addEventListener("click", function () {
    if (!current.picked) { return; }
    post("/api/cases/save", withText({ path: path, applicants: current.applicants, id: current.picked })).then(function (data) {
      setState(say("saved_case", { path: data.samples }));
      checkCases();
    }, failed);
  });
  if (source) {
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { evaluate(); checkCases(); }, DELAY);
    });
  }
  checkCases();
}());
