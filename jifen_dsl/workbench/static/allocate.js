// The allocation page: runs POST /api/allocate on the files chosen and draws its charts with Chart.js (static/vendor).
(function () {
  "use strict";
  var shared = window.jifenPage;
  var words = shared.words("page-words");
  var say = shared.fill;
  var form = document.getElementById("allocate-form");
  var status = document.getElementById("allocate-status");
  var charts = [];
  var params = new URLSearchParams(location.search);
  ["path", "applicants", "schools"].forEach(function (name) { if (params.get(name)) form.elements[name].value = params.get(name); });

  function chart(canvas, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    charts.push(new Chart(canvas, config));
  }

  function draw(answer) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    document.getElementById("allocate-counts").textContent = words.counts + ": " +
      Object.keys(answer.counts).map(function (k) { return ((answer.count_words || {})[k] || k) + " " + answer.counts[k]; }).join(" · ");
    var subsidy = answer.subsidy;
    document.getElementById("allocate-subsidy").textContent = subsidy ? say(words.subsidy, { total: subsidy.total }) : words.no_subsidy;
    var link = new URLSearchParams({ path: answer.path, applicants: answer.applicants, schools: answer.schools });
    document.getElementById("allocate-preview").href = "/preview?" + link.toString();
    var holder = document.getElementById("points-charts");
    holder.textContent = "";
    answer.grades.forEach(function (grade) {
      var box = document.createElement("div");
      box.className = "chart";
      var title = document.createElement("h3");
      title.textContent = grade.name + (grade.cut !== null ? " - " + say(words.cut, { points: grade.cut }) : "");
      var canvas = document.createElement("canvas");
      canvas.className = "points-chart";
      holder.appendChild(title);
      box.appendChild(canvas);
      holder.appendChild(box);
      chart(canvas, {
        type: "bar",
        data: {
          labels: grade.bins.map(function (b) { return b.from + "-" + b.to; }),
          datasets: [
            { label: words.qualified, data: grade.bins.map(function (b) { return b.qualified; }), backgroundColor: "#2f7d4f" },
            { label: words.not_qualified, data: grade.bins.map(function (b) { return b.not_qualified; }), backgroundColor: "#c0883a" },
          ],
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
      });
    });
    var schools = answer.schools_summary;
    chart(document.getElementById("schools-chart"), {
      type: "bar",
      data: {
        labels: schools.map(function (s) { return s.name; }),
        datasets: [
          { label: words.seats, data: schools.map(function (s) { return s.seats; }), backgroundColor: "#9bb7d4" },
          { label: words.admitted, data: schools.map(function (s) { return s.admitted; }), backgroundColor: "#2f5f8f" },
          { label: words.cutoff, type: "line", yAxisID: "points", data: schools.map(function (s) { return s.cutoff === null ? null : Number(s.cutoff); }), borderColor: "#b03030", backgroundColor: "#b03030", showLine: false, pointRadius: 4 },
        ],
      },
      options: { scales: { y: { beginAtZero: true }, points: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } } },
    });
    var labels = [words.choices, words.coordinated, words.clearing];
    var values = [answer.rounds.choices, answer.rounds.coordinated, answer.rounds.clearing];
    Object.keys(answer.batches).forEach(function (name) { labels.push(name); values.push(answer.batches[name]); });
    chart(document.getElementById("rounds-chart"), {
      type: "bar",
      data: { labels: labels, datasets: [{ label: words.admitted, data: values, backgroundColor: "#2f5f8f" }] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true } } },
    });
    document.getElementById("allocate-result").hidden = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = words.running;
    var body = { path: form.elements.path.value, applicants: form.elements.applicants.value, schools: form.elements.schools.value };
    shared.post("/api/allocate", body).then(function (answer) {
      status.textContent = "";
      status.className = "";
      draw(answer);
    }, function (error) {
      // Refused: the server's message; no answer at all: say so.
      status.textContent = error.status ? error.message : say(words.failed, { reason: String(error) });
      status.className = error.status ? "problem" : "";
    });
  });
  if (form.elements.path.value && form.elements.applicants.value && form.elements.schools.value) form.requestSubmit();
})();
