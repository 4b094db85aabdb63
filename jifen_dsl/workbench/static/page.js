/* What every page's script shares: the page's words and filling them in, the CSRF token, elements, and JSON requests.
 *
 * window.jifenPage:
 *   words(id)                the words the page hands its script (JSON in <script id=...>), or {}
 *   fill(template, values)   "{name}" slots filled from values
 *   sayer(words)             say(key, values): words[key] (or the key itself) filled
 *   element(tag, className, text)
 *   answer(response)         the JSON of a response, or a rejected Error with status, code and body
 *   request(route, init)     fetch with the CSRF header and the session's cookies, then answer()
 *   post(route, body)        request() of a JSON body
 *   unsaved.get(path)        the text of ``path`` edited in this tab's editor and not saved, or null
 *   unsaved.put(path, text)  remember it (the editor, after each check); unsaved.drop(path) once saved
 */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function words(id) {
    var holder = document.getElementById(id);
    return holder ? JSON.parse(holder.textContent) : {};
  }

  function fill(template, values) {
    var text = String(template);
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function sayer(table) {
    return function (key, values) { return fill(table[key] || key, values); };
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function answer(response) {
    return response.json().catch(function () { return null; }).then(function (data) {
      if (response.ok) { return data; }
      var error = new Error(data && data.error ? data.error.message : response.statusText);
      error.status = response.status;
      error.code = data && data.error ? data.error.code : null;
      error.body = data;
      throw error;
    });
  }

  function request(route, init) {
    var headers = Object.assign({ "X-CSRF-Token": csrf }, (init && init.headers) || {});
    return fetch(route, Object.assign({ credentials: "same-origin" }, init || {}, { headers: headers })).then(answer);
  }

  function post(route, body) {
    return request(route, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  }

  /* An edit not yet saved follows the person to Compare and Try, in this tab only (sessionStorage):
   * the impact of an edit is wanted before it is saved. Storage refused (a private window's
   * quota, a policy) only means the other pages show the text as saved. */
  var unsaved = {
    get: function (path) {
      try { return window.sessionStorage.getItem("jifen-unsaved:" + path); } catch (ignored) { return null; }
    },
    put: function (path, text) {
      try { window.sessionStorage.setItem("jifen-unsaved:" + path, text); } catch (ignored) { /* see above */ }
    },
    drop: function (path) {
      try { window.sessionStorage.removeItem("jifen-unsaved:" + path); } catch (ignored) { /* see above */ }
    }
  };

  window.jifenPage = { csrf: csrf, words: words, fill: fill, sayer: sayer, element: element, answer: answer, request: request, post: post, unsaved: unsaved };
})();
