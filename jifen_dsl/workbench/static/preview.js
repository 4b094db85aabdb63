// The public list preview: the page jifen publish --format html writes (POST /api/preview), at phone and desktop widths.
(function () {
  "use strict";
  var shared = window.jifenPage;
  var words = shared.words("page-words");
  var source = shared.words("preview-source");
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
    shared.post("/api/preview", body).then(function (answer) {
      status.textContent = "";
      frames.forEach(function (frame) {
        frame.onload = find;
        frame.srcdoc = answer.html;
      });
    }, function (error) {
      status.textContent = error.status ? error.message : shared.fill(words.failed, { reason: String(error) });
      status.className = error.status ? "problem" : "";
    });
  }

  document.querySelectorAll('input[name="kind"]').forEach(function (radio) {
    if (source.kind === radio.value) radio.checked = true;
    radio.addEventListener("change", function () { load(radio.value); });
  });
  search.addEventListener("input", find);
  load(source.kind || "admission");
})();
