/* The workbench's editor page: checks the text as it is typed, saves with Ctrl-S, shows the diagnostics and the clause diff.
 *
 * window.jifenWorkbench is the page's API, for this script and for an editor that
 * takes over the textarea (static/editor/editor.js, when present):
 *   check(text), hover(text, line, column), format(text, to), save(text), diff(text)
 * each return a promise of the server's JSON answer (lines and columns from 1); a
 * refusal rejects with an Error carrying .status, .code and .body (the JSON, whose
 * error.diagnostics lists the problems of a policy that does not check).
 * getText() and setText(text) read and write the policy text (the textarea by
 * default; an editor replaces them with its own), and textChanged() tells the page
 * the text changed: it is checked again after a pause.
 */
(function () {
  "use strict";

  var shared = window.jifenPage;
  var say = shared.sayer(shared.words("workbench-words"));
  var element = shared.element;
  var post = shared.post;
  var pathElement = document.getElementById("policy-path");
  var path = pathElement ? pathElement.getAttribute("data-path") : null;
  var source = document.getElementById("source");
  var DELAY = 300;

  var api = {
    path: path,
    check: function (text) { return post("/api/check", { path: path, text: text }); },
    hover: function (text, line, column) { return post("/api/hover", { path: path, text: text, line: line, column: column }); },
    format: function (text, to) { return post("/api/format", to ? { path: path, text: text, to: to } : { path: path, text: text }); },
    save: function (text) { return post("/api/save", { path: path, text: text }); },
    diff: function (text) { return post("/api/diff", { path: path, text: text }); },
    getText: function () { return source ? source.value : ""; },
    setText: function (text) { if (source) { source.value = text; } },
    textChanged: function () { changed(); }
  };
  window.jifenWorkbench = api;

  if (!source || !path) { return; }

  var state = document.getElementById("state");
  var list = document.getElementById("diagnostics");
  var diffBox = document.getElementById("diff");
  var savedText = source.value;
  // An edit left unsaved in this tab (on the way to Compare or Try) is taken up again.
  var carried = shared.unsaved.get(path);
  if (carried !== null && carried !== savedText) { api.setText(carried); }
  var leavingWithinWorkbench = false;
  var timer = null;
  var asked = 0;

  function setState(text, kind) {
    state.textContent = text;
    state.className = kind || "";
  }

  function goTo(line, column) {
    var lines = api.getText().split("\n");
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) { offset += lines[i].length + 1; }
    offset += column - 1;
    source.focus();
    source.setSelectionRange(offset, offset);
  }

  function showDiagnostics(diagnostics) {
    list.textContent = "";
    if (!diagnostics.length) {
      list.appendChild(element("li", "none", say("no_problems")));
      return;
    }
    diagnostics.forEach(function (d) {
      var item = element("li", d.severity);
      var where = element("span", "where", d.line + ":" + d.column);
      where.addEventListener("click", function () { goTo(d.line, d.column); });
      item.appendChild(where);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "severity", say(d.severity) + (d.code ? "[" + d.code + "]" : "")));
      item.appendChild(document.createTextNode(": "));
      item.appendChild(element("span", "message", d.message));
      if (d.hint) { item.appendChild(element("div", "hint", say("hint") + ": " + d.hint)); }
      list.appendChild(item);
    });
  }
  api.showDiagnostics = showDiagnostics;

  function showDiff(diff, heading) {
    diffBox.textContent = "";
    if (heading) { diffBox.appendChild(element("p", "tags", heading)); }
    if (!diff || !diff.changes || !diff.changes.length) {
      diffBox.appendChild(element("p", "none", say("no_change")));
      return;
    }
    diff.changes.forEach(function (c) {
      var box = element("div", "change");
      box.appendChild(element("h3", null, c.clause + " " + c.name + (c.grade ? " (" + c.grade + ")" : "") + " - " + say(c.change)));
      var tags = [];
      if (c.moved_with_year) { tags.push(say("moved_with_year")); }
      if (c.wording_only) { tags.push(say("wording_only")); }
      (c.aspects || []).forEach(function (a) { tags.push(a.aspect); });
      if (tags.length) { box.appendChild(element("div", "tags", tags.join(" · "))); }
      if (c.old) { box.appendChild(element("pre", "old", c.old)); }
      if (c.new) { box.appendChild(element("pre", "new", c.new)); }
      diffBox.appendChild(box);
    });
  }
  api.showDiff = showDiff;

  function failed(error) {
    if (error && error.body && error.body.error && error.body.error.diagnostics) {
      showDiagnostics(error.body.error.diagnostics);
    }
    setState(error && error.status ? error.message : say("failed", { reason: String(error && error.message) }), "bad");
  }

  function checkNow() {
    var ticket = ++asked;
    var text = api.getText();
    if (text === savedText) { shared.unsaved.drop(path); } else { shared.unsaved.put(path, text); }
    setState(say("checking"));
    return api.check(text).then(function (answer) {
      if (ticket !== asked) { return; }
      showDiagnostics(answer.diagnostics);
      setState(text === savedText ? "" : say("unsaved"), answer.errors ? "bad" : "");
    }, function (error) { if (ticket === asked) { failed(error); } });
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(checkNow, DELAY);
  }

  function saved(text, answer) {
    savedText = text;
    if (api.getText() === text) { shared.unsaved.drop(path); }
    showDiagnostics(answer.diagnostics);
    showDiff(answer.diff, answer.diff_note);
    setState(say("saved"), "good");
  }

  function notSaved(error) {
    failed(error);
    if (error && error.code === "invalid_policy") { setState(say("not_saved"), "bad"); }
  }

  function save() {
    var text = api.getText();
    setState(say("saving"));
    return api.save(text).then(function (answer) { saved(text, answer); }, notSaved);
  }

  function format() {
    return api.format(api.getText()).then(function (answer) {
      if (answer.changed) { api.setText(answer.text); changed(); }
      setState(say(answer.changed ? "formatted" : "unchanged_layout"));
    }, failed);
  }

  function compare() {
    return api.diff(api.getText()).then(function (answer) {
      showDiff(answer.diff, say("compared_with", { path: answer.base }));
    }, failed);
  }

  source.addEventListener("input", changed);
  // The code editor formats and saves on Ctrl-S itself, then tells the page what came of it.
  source.addEventListener("jifen-editor-saved", function (event) {
    var detail = event.detail || {};
    if (detail.result) { saved(detail.text, detail.result); } else { notSaved(detail.error); }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      save();
    }
  });
  document.getElementById("save").addEventListener("click", save);
  document.getElementById("format").addEventListener("click", format);
  document.getElementById("compare").addEventListener("click", compare);
  // A link to another page of the workbench takes the unsaved edit along (jifenPage.unsaved):
  // only leaving the workbench, or closing the tab, would lose it.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (link && link.origin === window.location.origin) {
      var text = api.getText();
      if (text === savedText) { shared.unsaved.drop(path); } else { shared.unsaved.put(path, text); }
      leavingWithinWorkbench = true;
      setTimeout(function () { leavingWithinWorkbench = false; }, 1000);  // a link that did not leave
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (api.getText() !== savedText && !leavingWithinWorkbench) { event.preventDefault(); event.returnValue = ""; }
  });
  checkNow();
})();
