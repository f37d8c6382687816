// The share-link page: H.264 through player.js where the browser can play it, else the MJPEG
// <img> the page starts with (and keeps without JavaScript). When the link stops working
// (revoked, expired) the page says so instead of freezing on the last picture.
(function () {
  "use strict";

  const card = document.getElementById("share-card");
  const note = document.querySelector("[data-share-note]");
  if (!card || !note) { return; }
  const img = card.querySelector(".view img");
  const RETRY_MS = 3000;
  const CHECK_MS = 10000;
  let gone = false;

  function readStrings() {
    const node = document.getElementById("livecam-player-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (error) { return {}; }
  }

  function streamMjpeg(on) {
    img.hidden = !on;
    if (!on) { img.removeAttribute("src"); return; }
    if (!gone && !img.getAttribute("src")) { img.src = img.dataset.stream + "?t=" + Date.now(); }
  }

  function showGone() {
    gone = true;
    streamMjpeg(false);
    card.hidden = true;
    note.textContent = note.dataset.gone;
    note.hidden = false;
    if (player) { player.video.hidden = true; }
  }

  // A link that no longer works (revoked, expired) answers its page with 404.
  function linkWorks() {
    return fetch(window.location.pathname, { cache: "no-store", credentials: "omit" })
      .then(function (response) { return response.status !== 404; }, function () { return true; });
  }

  // A failed picture: say so if the link is gone, else try again.
  function checkLink() {
    linkWorks().then(function (works) {
      if (!works) { showGone(); return; }
      setTimeout(function () { if (card.dataset.video !== "h264") { streamMjpeg(true); } }, RETRY_MS);
    });
  }

  // An MJPEG picture whose stream the server ended just stops (an <img> reports no end), so
  // while it is the one shown the link is checked now and then.
  setInterval(function () {
    if (gone || card.dataset.video === "h264" || document.hidden) { return; }
    linkWorks().then(function (works) { if (!works) { showGone(); } });
  }, CHECK_MS);

  function ended() {
    if (gone || card.dataset.video === "h264") { return; }
    img.removeAttribute("src");
    checkLink();
  }

  img.addEventListener("error", ended);
  card.addEventListener("livecam:video", function () { streamMjpeg(card.dataset.video !== "h264"); });

  const stats = {};
  window.livecamPlayer = stats;
  let player = null;
  if (!window.livecamVideo || !window.livecamBoxes) { return; }
  player = window.livecamVideo.attach(card, {
    url: function () { return card.dataset.videoStream; },
    strings: readStrings(),
    stats: stats,
    overlap: true, // the MJPEG picture stays until H.264 shows one
  });
  player.update();
})();
