// The dashboard's H.264 cards: in the "stream" layout (a few cameras) each card in view plays
// stream.mp4 through player.js instead of its MJPEG picture, at most MAX_VIDEO at once.
// Larger grids keep the multiplexed tile stream (livecam.js); docs/live-video.md says why.
// Stats per camera on window.livecamCards.
(function () {
  "use strict";

  // HTTP/1.1 browsers open at most six connections per host. The events stream holds one and
  // one stays free for ON/OFF and page requests, so four streams in all. A card plays either
  // H.264 or MJPEG, never both (player.js without overlap), so each card costs one connection.
  const MAX_VIDEO = 4;
  const STORE_KEY = "livecam.video"; // the camera page's mode picker, also honoured here
  const root = document.getElementById("cameras");
  if (!root || root.dataset.mode !== "stream" || !window.livecamVideo || !window.livecamBoxes) { return; }

  const strings = (function () {
    const node = document.getElementById("livecam-player-strings");
    try { return node ? JSON.parse(node.textContent) : {}; } catch (error) { return {}; }
  })();
  const cards = new Map(); // camera id → { card, player, inView }
  const stats = {};
  window.livecamCards = stats;
  let active = 0;

  function preference() {
    try { return localStorage.getItem(STORE_KEY) || "auto"; } catch (error) { return "auto"; }
  }

  function pickWidth(card) {
    const view = card.querySelector(".view");
    const pixels = ((view && view.clientWidth) || card.clientWidth || 320) * (window.devicePixelRatio || 1);
    return pixels <= 320 ? 320 : pixels <= 480 ? 480 : 640;
  }

  function label(card, mode, reason) {
    const element = card.querySelector('[data-field="video-mode"]');
    if (!element) { return; }
    element.textContent = mode === "h264" ? "H.264" : mode === "mjpeg" ? "MJPEG" : "";
    element.hidden = !mode;
    if (reason) { element.title = String(strings.fellBack || "%(reason)s").replace("%(reason)s", reason); }
    else { element.removeAttribute("title"); }
  }

  // A slot freed while every slot was taken: give it to a card that waits for one (not to
  // the card that closed: it retries on its own schedule).
  function offerSlot(closed) {
    cards.forEach(function (entry) { if (entry !== closed && !entry.player.open) { entry.player.update(); } });
  }

  function add(card) {
    const id = card.dataset.camera;
    if (!id || !card.dataset.videoStream || cards.has(id)) { return; }
    const entry = { card: card, player: null, inView: !window.IntersectionObserver };
    stats[id] = {};
    entry.player = window.livecamVideo.attach(card, {
      url: function () { return card.dataset.videoStream + "?width=" + pickWidth(card); },
      strings: strings,
      stats: stats[id],
      preference: preference,
      overlap: false,
      allowed: function () {
        return card.isConnected && entry.inView && (entry.player.open || active < MAX_VIDEO);
      },
      onMode: function (mode, reason) { label(card, mode, reason); },
      onSession: function (open) {
        active += open ? 1 : -1;
        if (!open && active === MAX_VIDEO - 1) { offerSlot(entry); }
      },
    });
    cards.set(id, entry);
    if (observer) { observer.observe(card); }
    entry.player.update();
  }

  function remove(card) {
    const entry = cards.get(card.dataset.camera);
    if (!entry || entry.card !== card) { return; }
    cards.delete(card.dataset.camera);
    if (observer) { observer.unobserve(card); }
    entry.player.update(); // no longer connected: closes its stream
  }

  // Scrolled away (with the margin livecam.js uses for MJPEG): the card's stream closes, so
  // the server sees the viewer leave; it reopens on the way back.
  const observer = window.IntersectionObserver ? new IntersectionObserver(function (entries) {
    entries.forEach(function (change) {
      const entry = cards.get(change.target.dataset.camera);
      if (!entry || entry.inView === change.isIntersecting) { return; }
      entry.inView = change.isIntersecting;
      entry.player.update();
    });
  }, { rootMargin: "200px" }) : null;

  // Cards come and go without a reload when cameras are added or removed elsewhere.
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) { if (node.matches && node.matches("article.camera")) { add(node); } });
      record.removedNodes.forEach(function (node) { if (node.matches && node.matches("article.camera")) { remove(node); } });
    });
  }).observe(root, { childList: true });

  root.querySelectorAll("article.camera").forEach(add);
})();
