// Events and recordings page: play recordings in the page, and notice new ones live.
(function () {
  "use strict";
  var root = document.getElementById("media");
  if (!root) { return; }
  var camera = root.dataset.camera;
  var player = document.getElementById("player");

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-play]");
    if (!link || !player) { return; }
    event.preventDefault();
    player.src = link.dataset.play;
    player.classList.remove("hidden");
    player.play().catch(function () { /* autoplay refused: the controls are there */ });
    player.scrollIntoView({ block: "nearest" });
  });

  if (!window.EventSource || !root.dataset.events) { return; }
  var note = root.querySelector("[data-field=new]");
  var rec = root.querySelector("[data-field=recording]");
  var source = new EventSource(root.dataset.events);
  function changed(event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (data.camera !== camera) { return; }
    if (event.type === "recording" && rec) {
      rec.classList.toggle("hidden", data.phase !== "started");
    }
    // Reload only when nothing is playing; otherwise offer it.
    if (player && !player.paused) { note.classList.remove("hidden"); return; }
    if (data.phase === "end" || data.phase === "ended" || data.phase === "start") {
      window.setTimeout(function () { window.location.reload(); }, 300);
    }
  }
  source.addEventListener("motion", changed);
  source.addEventListener("recording", changed);
}());
