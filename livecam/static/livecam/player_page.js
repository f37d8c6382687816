// The camera page's video: one H.264 player (player.js) on the camera card, the mode picker
// (Auto / H.264 / MJPEG, remembered) and the "playing" label. Stats on window.livecamPlayer.
(function () {
  "use strict";

  const STORE_KEY = "livecam.video";
  const controls = document.querySelector("[data-player]");
  const card = controls && document.getElementById("camera-" + controls.dataset.player);
  if (!card || !window.livecamVideo || !window.livecamBoxes) { return; }
  const choice = controls.querySelector("[data-video-choice]");
  const modeLabel = controls.querySelector("[data-video-mode]");
  const whyLabel = controls.querySelector("[data-video-why]");

  function preference() {
    try { return localStorage.getItem(STORE_KEY) || "auto"; } catch (error) { return "auto"; }
  }

  function readStrings() {
    const node = document.getElementById("livecam-player-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (error) { return {}; }
  }

  const stats = {};
  window.livecamPlayer = stats;
  const player = window.livecamVideo.attach(card, {
    url: function () { return controls.dataset.videoStream; },
    strings: readStrings(),
    stats: stats,
    preference: preference,
    overlap: true, // one camera: MJPEG keeps the picture until H.264 shows one
    onMode: function (mode, reason) {
      modeLabel.textContent = mode === "h264" ? "H.264" : mode === "mjpeg" ? "MJPEG" : "";
      whyLabel.textContent = reason;
      whyLabel.hidden = !reason;
    },
  });

  choice.value = preference();
  choice.addEventListener("change", function () {
    try { localStorage.setItem(STORE_KEY, choice.value); } catch (error) { /* private mode */ }
    player.reset();
  });
  controls.hidden = false;
  player.update();
})();
