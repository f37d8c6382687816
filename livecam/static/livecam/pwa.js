// Registers livecam's service worker (an offline page; it never caches camera data).
(function () {
  "use strict";
  const script = document.currentScript;
  const url = script && script.dataset.serviceWorker;
  if (!url || !("serviceWorker" in navigator)) { return; }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url).catch(function () { /* no offline page: harmless */ });
  });
}());
