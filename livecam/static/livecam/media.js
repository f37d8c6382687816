// Events and recordings page: play recordings in the page, and keep the lists live: every
// motion or recording event (and every reconnect, in case one was missed) re-reads the
// server-rendered lists, so a manual recording appears, finishes and gets its Play link
// without a reload, and a playing video is never interrupted.
(function () {
  "use strict";
  var root = document.getElementById("media");
  if (!root) { return; }
  var camera = root.dataset.camera;
  var player = document.getElementById("player");
  var LIVE_PARTS = ["media-state", "recordings-list", "events-list"];
  var timer = null;

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-play]");
    if (!link || !player) { return; }
    event.preventDefault();
    player.src = link.dataset.play;
    player.classList.remove("hidden");
    player.play().catch(function () { /* autoplay refused: the controls are there */ });
    player.scrollIntoView({ block: "nearest" });
  });

  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        LIVE_PARTS.forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next && now.innerHTML !== next.innerHTML) { now.innerHTML = next.innerHTML; }
        });
        root.dataset.refreshed = String(Number(root.dataset.refreshed || 0) + 1);
      })
      .catch(function () { /* the next event or reconnect tries again */ });
  }

  function soon() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { timer = null; refresh(); }, 200);
  }

  if (!window.EventSource || !root.dataset.events) { return; }
  var source = new EventSource(root.dataset.events);
  function changed(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (data.camera === camera) { soon(); }
  }
  source.addEventListener("open", soon);
  source.addEventListener("motion", changed);
  source.addEventListener("recording", changed);
  window.addEventListener("pagehide", function () { source.close(); });
}());
