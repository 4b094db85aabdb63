// The public list preview: the page jifen publish --format html writes (POST /api/preview), at phone and desktop widths.
(function () {
  "use strict";
  var words = JSON.parse(document.getElementById("page-words").textContent);
  var source = JSON.parse(document.getElementById("preview-source").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var status = document.getElementById("preview-status");
  var frames = [document.getElementById("preview-phone"), document.getElementById("preview-desktop")];
  var search = document.getElementById("preview-search");

  function find() {  // the published page's own search box, in each frame
    frames.forEach(function (frame) {
      var doc = frame.contentDocument;
      var box = doc && doc.getElementById("search");
      if (box) { box.value = search.value; box.dispatchEvent(new Event("input")); }
    });
  }

  function load(kind) {
    if (!source.run && !(source.path && source.applicants && source.schools)) return;
    var body = Object.assign({}, source, { kind: kind });
    fetch("/api/preview", { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
      .then(function (a) {
        if (!a.ok) { status.textContent = a.body.error.message; status.className = "problem"; return; }
        status.textContent = "";
        frames.forEach(function (frame) {
          frame.onload = find;
          frame.srcdoc = a.body.html;
        });
      })
      .catch(function (e) { status.textContent = words.failed.replace("{reason}", String(e)); });
  }

  document.querySelectorAll('input[name="kind"]').forEach(function (radio) {
    if (source.kind === radio.value) radio.checked = true;
    radio.addEventListener("change", function () { load(radio.value); });
  });
  search.addEventListener("input", find);
  load(source.kind || "admission");
})();
