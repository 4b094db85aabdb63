/* The Compare page: the impact of an edit before it is saved.
 *
 * The text in #edit-text (the file as saved, or the unsaved text the editor left
 * in this tab, jifenPage.unsaved) is sent with the chosen cohort
 * to POST /api/impact; the answer's differences are shown: the clauses changed,
 * each applicant whose outcome changes with the clause that causes it, and the
 * schools where a seat moves or the cut-off shifts. Nothing when nothing differs.
 */
(function () {
  "use strict";

  var page = window.jifenPage;
  var say = page.sayer(page.words("compare-words"));
  var element = page.element;
  var post = page.post;
  var heading = document.getElementById("compare-path");
  var form = document.getElementById("impact-form");
  if (!heading || !form) { return; }
  var path = heading.getAttribute("data-path");
  var source = document.getElementById("edit-text");
  var applicants = document.getElementById("applicants");
  var schools = document.getElementById("schools");
  var state = document.getElementById("impact-state");
  var box = document.getElementById("impact");
  var ASPECTS = ["eligible", "failed", "batch", "rank", "status", "school"];

  var unsaved = page.unsaved.get(path);
  if (unsaved !== null) { source.value = unsaved; }

  function value(aspect, outcome) {
    var v = outcome[aspect];
    if (aspect === "eligible") { return say(v ? "yes" : "no"); }
    if (aspect === "failed") { return v.length ? v.join("、") : say("none"); }
    if (aspect === "status") { return v === null ? say("none") : say(v); }
    return v === null || v === undefined ? say("none") : String(v);
  }

  function table(columns, rows) {
    var t = element("table", "outcomes");
    var head = element("thead");
    var line = element("tr");
    columns.forEach(function (c) { line.appendChild(element("th", null, c)); });
    head.appendChild(line);
    t.appendChild(head);
    var body = element("tbody");
    rows.forEach(function (cells) {
      var tr = element("tr");
      cells.forEach(function (cell, i) {
        var td = element("td");
        td.setAttribute("data-label", columns[i]);
        if (typeof cell === "string") { td.textContent = cell; } else { td.appendChild(cell); }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    t.appendChild(body);
    return t;
  }

  function showClauses(changes) {
    var section = element("div", "diff");
    section.appendChild(element("h3", null, say("clauses")));
    changes.forEach(function (c) {
      var change = element("div", "change");
      change.setAttribute("data-change", c.id);
      change.appendChild(element("h3", null, "[" + c.number + "] " + c.title + " - " + c.change_word));
      var tags = c.tags.slice();
      if (c.run === "wording only") { tags.push(say("not_run")); }
      else if (c.run !== "alone") { tags.push(say("cannot_run")); }
      if (tags.length) { change.appendChild(element("div", "tags", tags.join(" · "))); }
      if (c.old) { change.appendChild(element("pre", "old", c.old)); }
      if (c.new) { change.appendChild(element("pre", "new", c.new)); }
      section.appendChild(change);
    });
    return section;
  }

  function causes(ids, titles) {
    var span = element("span", "cause");
    span.textContent = ids.map(function (id) { return titles[id] || id; }).join("；");
    return span;
  }

  function showPeople(answer, titles) {
    var section = element("div", "people");
    section.appendChild(element("h3", null, say("people")));
    var columns = [say("id"), say("grade"), say("change"), say("because")];
    var rows = answer.applicants.map(function (x) {
      var what = element("ul", "plain");
      x.changed.forEach(function (aspect) {
        var item = element("li");
        item.appendChild(element("span", null, say(aspect === "failed" ? "failed_requirements" : aspect) + "："));
        item.appendChild(element("span", "was", value(aspect, x.old)));
        item.appendChild(document.createTextNode(" → "));
        item.appendChild(element("span", "now", value(aspect, x["new"])));
        what.appendChild(item);
      });
      var why;
      if (x.causes.length) {
        why = causes(x.causes, titles);
      } else {
        why = element("ul", "plain");
        x.changed.forEach(function (aspect) {
          var ids = x.causes_by_aspect[aspect] || [];
          var item = element("li", null, say(aspect === "failed" ? "failed_requirements" : aspect) + "：");
          item.appendChild(ids.length ? causes(ids, titles) : element("span", null, say("combination")));
          why.appendChild(item);
        });
      }
      return [x.id, x.grade, what, why];
    });
    var t = table(columns, rows);
    t.id = "affected";
    section.appendChild(t);
    return section;
  }

  function showSeats(seats) {
    var section = element("div", "seats");
    section.appendChild(element("h3", null, say("seats")));
    var columns = [say("school"), say("gained"), say("lost"), say("cutoff")];
    var rows = seats.map(function (s) {
      var cut = element("span");
      if (s.cutoff.old === s.cutoff["new"]) {
        cut.textContent = s.cutoff.old === null ? say("none") : s.cutoff.old;
      } else {
        cut.appendChild(element("span", "was", s.cutoff.old === null ? say("none") : s.cutoff.old));
        cut.appendChild(document.createTextNode(" → "));
        cut.appendChild(element("span", "now", s.cutoff["new"] === null ? say("none") : s.cutoff["new"]));
      }
      return [s.id + " " + s.name + " (" + s.grade + ")", s.gained.join("、") || say("none"), s.lost.join("、") || say("none"), cut];
    });
    var t = table(columns, rows);
    t.id = "seats";
    section.appendChild(t);
    return section;
  }

  function show(answer) {
    box.textContent = "";
    if (answer.no_difference) {
      box.appendChild(element("p", "no-difference", say("no_difference")));
      return;
    }
    var counts = Object.keys(answer.summary).filter(function (k) { return k !== "applicants" && k !== "affected" && answer.summary[k]; });
    if (counts.length) {
      var summary = element("p", "summary");
      summary.textContent = say("summary") + "：" + counts.map(function (k) { return say(k, { count: answer.summary[k] }); }).join("，");
      box.appendChild(summary);
    }
    if (answer.moved && answer.moved["new"]) { box.appendChild(element("p", "note", say("moved", { count: answer.moved["new"] }))); }
    var titles = {};
    answer.changes.forEach(function (c) { titles[c.id] = "[" + c.number + "] " + c.title; });
    if (answer.changes.length) { box.appendChild(showClauses(answer.changes)); }
    if (answer.applicants.length) { box.appendChild(showPeople(answer, titles)); }
    if (answer.seats.length) { box.appendChild(showSeats(answer.seats)); }
  }

  function failed(error) {
    box.textContent = "";
    var message = error && error.status ? error.message : say("failed", { reason: String(error && error.message) });
    var problem = element("div", "problem", message);
    var diagnostics = error && error.body && error.body.error && error.body.error.diagnostics;
    (diagnostics || []).forEach(function (d) {
      problem.appendChild(document.createTextNode("\n" + d.line + ":" + d.column + " " + d.message));
    });
    box.appendChild(problem);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = { path: path, text: source.value, applicants: applicants.value.trim() };
    if (schools.value.trim()) { body.schools = schools.value.trim(); }
    state.textContent = say("working");
    box.removeAttribute("data-done");
    box.setAttribute("aria-busy", "true");
    post("/api/impact", body).then(show, failed).then(function () {
      state.textContent = "";
      box.removeAttribute("aria-busy");
      box.setAttribute("data-done", "true");
    });
  });
})();
