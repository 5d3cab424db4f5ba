// The conversation page without reloads: poll for new messages and ticks, send the page's buttons in the
// background, Enter sends the reply (Shift+Enter a new line). Without this script the page still works: every
// button is a plain form that posts and comes back to the page.
(function () {
  "use strict";
  var inbox = document.getElementById("inbox");
  if (!inbox) { return; }
  var thread = document.getElementById("inbox-thread");
  var pollUrl = inbox.dataset.pollUrl;
  var every = Math.max(1, parseInt(inbox.dataset.pollSeconds, 10) || 3) * 1000;
  var timer = null;
  var busy = false;

  function nearBottom() {
    return thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;
  }

  function toBottom() { thread.scrollTop = thread.scrollHeight; }

  function say(id, text) {
    var node = document.getElementById(id);
    if (!node) { return; }
    node.textContent = text || "";
    node.hidden = !text;
  }

  // Swap in the fresh header, thread and panel; keep the reader's place and the internals section's state.
  function apply(parts) {
    var stick = nearBottom();
    var internals = document.getElementById("inbox-internals");
    var wasOpen = internals && internals.open;
    document.getElementById("inbox-header").innerHTML = parts.header;
    thread.innerHTML = parts.thread;
    document.getElementById("inbox-panel").innerHTML = parts.panel;
    internals = document.getElementById("inbox-internals");
    if (internals && wasOpen) { internals.open = true; }
    inbox.dataset.fingerprint = parts.fingerprint;
    if (stick) { toBottom(); }
    say("inbox-notice", parts.notice);
    say("composer-error", parts.error);
  }

  function poll() {
    timer = null;
    if (document.hidden || busy) { return schedule(); }
    var url = pollUrl + "?v=" + encodeURIComponent(inbox.dataset.fingerprint || "");
    fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (response.status === 200) { return response.json().then(apply); }
      })
      .catch(function () { /* offline or restarting: try again at the next tick */ })
      .then(schedule);
  }

  // Polling stops while the tab is hidden and starts again, at once, when it is shown.
  function schedule() {
    if (timer === null && !document.hidden) { timer = window.setTimeout(poll, every); }
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && timer === null) { poll(); }
  });

  function send(form) {
    busy = true;
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (parts) {
        if (form.id === "composer" && !parts.error) { form.reset(); }
        apply(parts);
        if (form.id === "composer") { toBottom(); }
      })
      .catch(function () { form.submit(); })  // let the server answer the ordinary way
      .then(function () {
        busy = false;
        buttons.forEach(function (b) { b.disabled = false; });
      });
  }

  // One listener for every button form, including those in parts swapped in later.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-inbox-action]")) { return; }
    event.preventDefault();
    send(form);
  });

  var box = document.getElementById("id_reply_content");
  if (box) {
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        if (box.value.trim()) { box.form.requestSubmit(); }
      }
    });
    if (window.location.hash === "#composer" || box.value) { box.focus(); }
  }
  toBottom();
  schedule();
}());
