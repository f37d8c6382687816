// livecam's service worker: an offline page when the server cannot be reached. It never
// caches streams, snapshots or API answers: only page navigations get a fallback, and only
// the offline page and its few static files are ever stored.
"use strict";

const CACHE = "livecam-offline-v1";
const OFFLINE = {{ offline_json|safe }};
const PRECACHE = {{ precache_json|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(PRECACHE); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Always the network (pages are live); the cached offline page only when it fails.
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
  } else if (PRECACHE.indexOf(url.pathname) !== -1) {
    event.respondWith(fetch(request).catch(function () { return caches.match(request); }));
  }
  // Everything else (streams, snapshots, the API, events) goes to the network untouched.
});
