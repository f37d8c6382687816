// livecam pages: live state from /api/events, instant ON/OFF reconciled with the server's
// answer, grid tiles that stay live beyond six cameras (one multiplexed tile stream), and
// stream hygiene.
// No inline scripts (strict CSP): translated strings come from a JSON data block, and camera
// names are only ever set with textContent.
(function () {
  "use strict";

  const TILE_FPS = 10; // grid pictures per second and tile, at most (never above the camera's)
  const TILE_BUDGET = 160; // pictures per second for the whole grid, shared by the tiles in view
  const TILE_DEBOUNCE_MS = 150; // a changing set of tiles (scrolling) reopens the stream once
  const MAX_HEADER = 4096; // bytes of a part's headers, at most: more means a broken stream
  const RETRY_MS = 2000; // wait before retrying a failed stream
  const ERROR_MS = 15000; // how long a failed switch's message stays on the card

  const strings = readStrings();
  const root = document.getElementById("cameras");
  const tiles = new Map();
  let source = null;
  let leaving = false;
  let lostEvents = false;

  function readStrings() {
    const block = document.getElementById("livecam-strings");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (error) { return {}; }
  }

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function announce(text) {
    const region = document.getElementById("announcer");
    if (region) { region.textContent = text; }
  }

  // ---- Small page helpers that need no camera list: fullscreen, copy, disabled links.

  document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
    const target = document.getElementById(button.dataset.fullscreen);
    if (!target || !document.fullscreenEnabled) { return; }
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      const change = document.fullscreenElement ? document.exitFullscreen() : target.requestFullscreen();
      change.catch(function () { /* refused (e.g. not allowed in a frame): nothing to undo */ });
    });
    document.addEventListener("fullscreenchange", function () {
      const full = document.fullscreenElement === target;
      button.setAttribute("aria-pressed", full ? "true" : "false");
      button.textContent = full ? strings.exitFullscreen || "Exit fullscreen" : strings.fullscreen || "Fullscreen";
    });
  });

  document.querySelectorAll("[data-copy-text]").forEach(function (button) {
    const source = document.getElementById(button.dataset.copyText);
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        button.textContent = strings.copied || "Copied";
        announce(strings.copied || "Copied");
      });
    });
  });

  document.addEventListener("click", function (event) {
    const link = event.target.closest('a[aria-disabled="true"]');
    if (link) { event.preventDefault(); }
  });

  if (!root) { return; }
  const mode = root.dataset.mode || "stream"; // "stream" (few tiles), "tiles" (many), "full"

  // ---- Tiles: one per camera card.

  function field(tile, name) {
    const selector = '[data-field="' + name + '"]';
    return tile.card.querySelector(selector) || (tile.details && tile.details.querySelector(selector));
  }

  function setText(tile, name, text) {
    const element = field(tile, name);
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function makeTile(card) {
    const tile = {
      card: card,
      id: card.dataset.camera,
      name: card.dataset.name || card.dataset.camera,
      img: card.querySelector(".view img"),
      details: document.querySelector('[data-camera-details="' + CSS.escape(card.dataset.camera) + '"]'),
      cam: { id: card.dataset.camera, enabled: card.dataset.enabled === "true",
             state: card.dataset.state, online: card.dataset.state === "online", fps: 0 },
      // In tiles mode the observer's first report decides (a tile never streams by mistake).
      pending: null, localError: "", errorTimer: null,
      inView: !(mode === "tiles" && window.IntersectionObserver),
      timer: null, objectUrl: null, frames: 0, streamUrl: null,
    };
    if (tile.img) {
      tile.img.addEventListener("error", function () { streamFailed(tile); });
      tile.img.addEventListener("load", function () { updateNote(tile); });
      card.addEventListener("livecam:video", function () { sync(tile); }); // player.js's mode changed
      if (tile.img.getAttribute("src")) { tile.streamUrl = tile.img.getAttribute("src"); }
    }
    return tile;
  }

  function wanted(tile) {
    if (leaving || document.hidden || !tile.inView || !tile.cam.enabled) { return false; }
    if (tile.card.dataset.video === "h264") { return false; } // player.js shows H.264 instead
    if (mode === "tiles") { return showsPictures(tile); }
    return true;
  }

  // OFF, starting and stopping cameras are left out of the tile stream, so the server sees
  // their viewer leave; an error still streams its "NO SIGNAL: reason" picture.
  function showsPictures(tile) {
    return tile.cam.enabled && ["online", "idle", "error", undefined].indexOf(tile.cam.state) >= 0;
  }

  function pickWidth(tile) {
    const pixels = (tile.img.clientWidth || tile.card.clientWidth || 320) * (window.devicePixelRatio || 1);
    return pixels <= 320 ? 320 : pixels <= 480 ? 480 : 640;
  }

  // Clearing src is what makes the browser close the MJPEG connection, so the server sees the
  // viewer leave (an <img> keeps streaming while it is merely hidden or scrolled away).
  function clearPicture(tile) {
    if (tile.timer) { clearTimeout(tile.timer); tile.timer = null; }
    tile.streamUrl = null;
    if (tile.img && tile.img.hasAttribute("src")) { tile.img.removeAttribute("src"); }
    if (tile.objectUrl) { URL.revokeObjectURL(tile.objectUrl); tile.objectUrl = null; }
  }

  function sync(tile) {
    if (!tile.img) { return; }
    if (mode === "tiles") {
      // A tile scrolled away or a hidden tab keeps its last picture for the return; a camera
      // that shows none (OFF, starting) loses it, so its note is seen.
      if (!showsPictures(tile)) { clearPicture(tile); }
      scheduleTiles();
    } else if (!wanted(tile)) {
      clearPicture(tile);
    } else if (!tile.streamUrl) {
      const width = mode === "stream" ? "width=" + pickWidth(tile) + "&" : "";
      // A fresh URL each time: Chromium would otherwise show its cached last frame.
      tile.streamUrl = tile.card.dataset.stream + "?" + width + "t=" + Date.now();
      tile.img.setAttribute("src", tile.streamUrl);
    }
    updateNote(tile);
  }

  function streamFailed(tile) {
    if (mode === "tiles" || !tile.streamUrl) { return; }
    clearPicture(tile);
    updateNote(tile);
    tile.timer = setTimeout(function () { tile.timer = null; sync(tile); }, RETRY_MS);
  }

  function show(tile, blob) {
    const previous = tile.objectUrl;
    tile.objectUrl = URL.createObjectURL(blob);
    tile.img.src = tile.objectUrl;
    if (previous) { URL.revokeObjectURL(previous); } // the new picture replaces it on decode
    tile.frames += 1;
    tile.card.dataset.frames = String(tile.frames);
    updateNote(tile);
  }

  // ---- The tile stream: one connection carries the pictures of every tile that wants one.
  // Browsers open six HTTP/1.1 connections per host; a stream per tile would starve the
  // events stream and the switch requests, and a request per picture costs the server a
  // whole request each. tiles.mjpg multiplexes: each part names its camera in X-Camera.

  const feed = { stream: null, timer: null, pendingKey: null, retryAt: 0 };

  function tilesWanted() {
    const ids = [];
    let width = 0;
    tiles.forEach(function (tile) {
      if (tile.img && wanted(tile)) { ids.push(tile.id); width = Math.max(width, pickWidth(tile)); }
    });
    return { ids: ids, width: width, key: ids.join(",") + "@" + width };
  }

  // Called on every change that may alter the set (scroll, state, visibility); reopens the
  // stream once the set has been stable for a moment, and closes it at once when empty.
  function scheduleTiles() {
    if (mode !== "tiles") { return; }
    const want = tilesWanted();
    if (!want.ids.length || leaving || document.hidden) { stopTimer(); closeTiles(); return; }
    if (feed.stream && feed.stream.key === want.key) { stopTimer(); return; }
    if (feed.timer && feed.pendingKey === want.key) { return; }
    stopTimer();
    feed.pendingKey = want.key;
    const delay = Math.max(TILE_DEBOUNCE_MS, feed.retryAt - Date.now());
    feed.timer = setTimeout(function () { feed.timer = null; feed.pendingKey = null; openTiles(); }, delay);
  }

  function stopTimer() {
    if (feed.timer) { clearTimeout(feed.timer); feed.timer = null; }
    feed.pendingKey = null;
  }

  function closeTiles() {
    const stream = feed.stream;
    feed.stream = null; // first: the aborted fetch's rejection must not schedule a retry
    if (stream) { stream.controller.abort(); }
  }

  function openTiles() {
    const want = tilesWanted();
    closeTiles(); // the pictures stay until the new stream replaces them
    if (!want.ids.length || leaving || document.hidden) { return; }
    const stream = { key: want.key, controller: new AbortController(), opened: Date.now() };
    feed.stream = stream;
    const fps = Math.max(1, Math.min(TILE_FPS, Math.floor(TILE_BUDGET / want.ids.length)));
    const url = root.dataset.tiles + "?ids=" + want.ids.map(encodeURIComponent).join(",") +
      "&width=" + want.width + "&fps=" + fps;
    fetch(url, { signal: stream.controller.signal, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok || !response.body) { throw new Error(String(response.status)); }
        return readTiles(response.body.getReader(), stream);
      })
      .then(function () { return true; }, function () { return false; })
      .then(function (ended) {
        if (feed.stream !== stream) { return; } // closed or replaced on purpose
        feed.stream = null;
        // The server ends a healthy stream when a camera is removed or access changes: reopen
        // at once with what is left. A refusal or a failure waits before trying again.
        const healthy = ended && Date.now() - stream.opened > RETRY_MS;
        feed.retryAt = healthy ? 0 : Date.now() + RETRY_MS;
        scheduleTiles();
      });
  }

  async function readTiles(reader, stream) {
    let buffer = new Uint8Array(0);
    while (feed.stream === stream) {
      const chunk = await reader.read();
      if (chunk.done) { return; }
      buffer = takeParts(joined(buffer, chunk.value));
    }
    reader.cancel().catch(function () { /* already closed */ });
  }

  function joined(rest, chunk) {
    if (!rest.length) { return chunk; }
    const both = new Uint8Array(rest.length + chunk.length);
    both.set(rest);
    both.set(chunk, rest.length);
    return both;
  }

  // Show every whole part in the buffer; return what is left (the start of the next part).
  // A part is headers, a blank line and Content-Length bytes of JPEG; boundary lines
  // ("--frame") and blank lines before the headers are skipped as lines without a colon.
  function takeParts(buffer) {
    let at = 0;
    for (;;) {
      const end = headersEnd(buffer, at);
      if (end < 0) {
        if (buffer.length - at > MAX_HEADER) { throw new Error("no part headers"); }
        return buffer.subarray(at);
      }
      const headers = parseHeaders(buffer.subarray(at, end));
      const length = parseInt(headers["content-length"], 10);
      if (!(length >= 0)) { throw new Error("a part without Content-Length"); }
      const start = end + 4;
      if (buffer.length < start + length) { return buffer.subarray(at); }
      showPart(headers["x-camera"], buffer.subarray(start, start + length));
      at = start + length;
    }
  }

  function headersEnd(buffer, from) {
    const last = Math.min(buffer.length, from + MAX_HEADER) - 3;
    for (let i = from; i < last; i += 1) {
      if (buffer[i] === 13 && buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) { return i; }
    }
    return -1;
  }

  function parseHeaders(bytes) {
    const headers = {};
    String.fromCharCode.apply(null, bytes).split("\r\n").forEach(function (line) {
      const colon = line.indexOf(":");
      if (colon > 0) { headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim(); }
    });
    return headers;
  }

  function showPart(cameraId, jpeg) {
    const tile = tiles.get(cameraId || "");
    if (tile && tile.img && wanted(tile)) { show(tile, new Blob([jpeg], { type: "image/jpeg" })); }
  }

  function updateNote(tile) {
    const cam = tile.cam;
    const picture = tile.img && tile.img.hasAttribute("src");
    let text = "";
    if (!cam.enabled) { text = (strings.notes || {})[cam.state === "stopping" ? "stopping" : "off"]; }
    else if (!picture) { text = (strings.notes || {})[cam.state] || ""; }
    setText(tile, "note", text || "");
  }

  function render(tile, cam) {
    if (tile.pending) { cam = Object.assign({}, cam, { enabled: tile.pending.want }); }
    tile.cam = cam;
    const card = tile.card;
    const enabled = cam.enabled ? "true" : "false";
    if (card.dataset.enabled !== enabled) { card.dataset.changedAt = String(Date.now()); }
    card.dataset.enabled = enabled;
    card.dataset.state = cam.state;
    card.className = card.className.replace(/\bstate-\S+/g, "").trim() + " state-" + cam.state;
    const label = (strings.states || {})[cam.state] || cam.state;
    setText(tile, "state-label", label);
    setText(tile, "state-text", label);
    setText(tile, "fps", cam.online && cam.fps > 0 ? fmt(strings.fps, { fps: Math.round(cam.fps) }) : "");
    setText(tile, "fps-text", cam.online ? fmt(strings.fps, { fps: Number(cam.fps).toFixed(1) }) : "—");
    const viewers = Number(cam.viewers) || 0;
    setText(tile, "viewers", fmt(viewers === 1 ? strings.viewersOne : strings.viewersOther, { count: viewers }));
    setText(tile, "viewers-count", String(viewers));
    if (cam.reconnects !== undefined) { setText(tile, "reconnects", String(cam.reconnects)); }
    if (cam.continuous !== undefined) {
      const rec = (strings.continuous || {})[cam.continuous] || cam.continuous;
      const why = cam.continuous_reason ? ((strings.pauseReasons || {})[cam.continuous_reason] || cam.continuous_reason) : "";
      setText(tile, "continuous", why ? rec + ": " + why : rec);
    }
    const retry = field(tile, "retry");
    if (retry) { retry.dataset.retryAt = cam.state === "error" && cam.retry_at ? String(cam.retry_at) : ""; }
    const last = field(tile, "last-frame");
    if (last) { last.dataset.at = cam.last_frame_at ? String(cam.last_frame_at) : ""; }
    tick(tile);
    if (cam.width && cam.height) { setText(tile, "size", cam.width + " × " + cam.height); }
    const error = field(tile, "error");
    if (error) {
      const text = tile.localError || cam.error || "";
      error.textContent = text;
      error.hidden = !text;
    }
    const button = card.querySelector("button.switch");
    if (button) {
      button.value = cam.enabled ? "off" : "on";
      button.classList.toggle("is-on", cam.enabled);
      button.setAttribute("aria-pressed", cam.enabled ? "true" : "false");
      setText(tile, "switch-text", cam.enabled ? strings.on || "ON" : strings.off || "OFF");
    }
    const hasPicture = cam.enabled && cam.online;
    document.querySelectorAll("[data-snapshot-link]").forEach(function (link) {
      link.setAttribute("aria-disabled", hasPicture ? "false" : "true");
      link.classList.toggle("disabled", !hasPicture);
    });
    const why = document.querySelector("[data-snapshot-why]");
    if (why) { why.hidden = hasPicture; }
    sync(tile);
  }

  // The retry countdown of a camera in error and the age of its last frame, every second.
  function tick(tile) {
    const now = Date.now() / 1000;
    const retry = field(tile, "retry");
    if (retry) {
      const at = parseFloat(retry.dataset.retryAt || "");
      setText(tile, "retry", isNaN(at) ? "" : at > now
        ? fmt(strings.retryIn, { seconds: Math.ceil(at - now) }) : strings.retryNow || "");
    }
    const last = field(tile, "last-frame");
    if (last) {
      const seen = parseFloat(last.dataset.at || "");
      setText(tile, "last-frame", isNaN(seen) || tile.cam.online || !tile.cam.enabled ? ""
        : fmt(strings.lastFrame, { seconds: Math.max(0, Math.round(now - seen)) }));
    }
  }

  function summarize() {
    const summary = document.getElementById("summary");
    if (!summary) { return; }
    let online = 0;
    tiles.forEach(function (tile) { if (tile.cam.online) { online += 1; } });
    const text = fmt(strings.summary, { online: online, total: tiles.size });
    if (summary.textContent !== text) { summary.textContent = text; }
  }

  function update(cam) {
    const tile = tiles.get(cam.id);
    if (!tile) { addCard(cam.id); return; }
    render(tile, cam);
    summarize();
  }

  // ---- Cameras added or removed elsewhere (admin, CLI, API) come and go without a reload.
  // A new card is rendered by the server (translated, with its controls) and taken from a
  // fresh copy of this page, then placed in label order.

  const adding = new Set();

  function addCard(cameraId) {
    if (mode === "full" || adding.has(cameraId)) { return; }
    adding.add(cameraId);
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        const card = fresh.getElementById("camera-" + cameraId);
        if (!card || tiles.has(cameraId)) { return; }
        const placed = document.importNode(card, true);
        const name = (placed.dataset.name || cameraId).toLowerCase();
        const after = Array.from(root.querySelectorAll("article.camera")).find(function (other) {
          return (other.dataset.name || other.dataset.camera).toLowerCase() > name;
        });
        root.insertBefore(placed, after || null);
        const empty = document.getElementById("no-cameras");
        if (empty) { empty.hidden = true; }
        root.hidden = false;
        const tile = makeTile(placed);
        tiles.set(tile.id, tile);
        if (observer) { observer.observe(placed); }
        sync(tile);
        summarize();
      })
      .catch(function () { /* the next event or a reload shows it */ })
      .finally(function () { adding.delete(cameraId); });
  }

  function removeCard(cameraId) {
    const tile = tiles.get(cameraId);
    if (!tile) { return; }
    clearPicture(tile);
    if (observer) { observer.unobserve(tile.card); }
    tiles.delete(cameraId);
    tile.card.remove();
    scheduleTiles();
    summarize();
    if (mode === "full") {
      // The camera page has nothing left to show: say so, instead of stale details and forms.
      const notice = document.createElement("p");
      notice.className = "notice";
      notice.setAttribute("role", "status");
      notice.textContent = strings.notFound || "the camera no longer exists";
      root.replaceChildren(notice);
    }
  }

  // ---- ON/OFF: optimistic, reconciled with the server's answer, errors shown on the card.

  function failureText(status, body) {
    if (status === 403) { return strings.forbidden; }
    if (status === 404) { return strings.notFound; }
    return (body && body.detail) || String(status);
  }

  function switchTo(tile, want, csrf) {
    const before = Object.assign({}, tile.cam);
    const button = tile.card.querySelector("button.switch");
    const attempt = { want: want };
    tile.pending = attempt;
    tile.localError = "";
    if (button) { button.setAttribute("aria-busy", "true"); }
    render(tile, Object.assign({}, tile.cam, { state: want ? "starting" : "stopping", online: false, error: "" }));
    const url = "/api/cameras/" + encodeURIComponent(tile.id) + "/" + (want ? "on" : "off");
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) { throw new Error(failureText(response.status, body)); }
        return body;
      });
    }, function () {
      throw new Error(strings.network || "network error");
    }).then(function (body) {
      if (tile.pending !== attempt) { return true; }
      tile.pending = null;
      update(body);
      announce(fmt(want ? strings.switchedOn : strings.switchedOff, { camera: tile.name }));
      return true;
    }, function (error) {
      if (tile.pending !== attempt) { return false; }
      tile.pending = null;
      const message = fmt(strings.switchFailed, { camera: tile.name, reason: error.message });
      tile.localError = message;
      clearTimeout(tile.errorTimer);
      tile.errorTimer = setTimeout(function () { tile.localError = ""; render(tile, tile.cam); }, ERROR_MS);
      update(before);
      announce(message);
      return false;
    }).finally(function () {
      if (button && !tile.pending) { button.removeAttribute("aria-busy"); }
    });
  }

  function csrfOf(form) {
    const input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.matches("form.power")) {
      event.preventDefault();
      const tile = tiles.get(form.closest("article.camera").dataset.camera);
      const button = form.querySelector("button.switch");
      if (tile && button) { switchTo(tile, button.value === "on", csrfOf(form)); }
    } else if (form.id === "all-power" && event.submitter && tiles.size) {
      event.preventDefault(); // page.js has asked first for All off (and stopped a "no")
      const want = event.submitter.value === "on";
      const csrf = csrfOf(form);
      Promise.all(Array.from(tiles.values()).map(function (tile) {
        return tile.cam.enabled === want && !tile.pending ? true : switchTo(tile, want, csrf);
      })).then(function (results) {
        if (results.every(Boolean)) { announce(want ? strings.allOn : strings.allOff); }
      });
    }
  });

  // ---- Live state: Server-Sent Events; a banner while the connection is lost.

  function banner(lost) {
    const element = document.getElementById("connection");
    if (!element) { return; }
    element.textContent = lost ? strings.reconnecting || "Reconnecting…" : "";
    element.hidden = !lost;
  }

  function connect() {
    if (!window.EventSource || source || !root.dataset.events) { return; }
    source = new EventSource(root.dataset.events);
    source.addEventListener("camera", function (event) { update(JSON.parse(event.data)); });
    source.addEventListener("camera-removed", function (event) { removeCard(JSON.parse(event.data).id); });
    source.addEventListener("open", function () {
      banner(false);
      if (lostEvents) { // the server may have restarted: reopen every picture
        lostEvents = false;
        closeTiles();
        tiles.forEach(function (tile) { if (mode !== "tiles") { clearPicture(tile); } sync(tile); });
      }
    });
    source.addEventListener("error", function () {
      if (leaving) { return; }
      lostEvents = true;
      banner(true);
      if (source && source.readyState === EventSource.CLOSED) { // refused (e.g. logged out)
        source = null;
        setTimeout(connect, RETRY_MS * 2);
      }
    });
  }

  function syncAll() { tiles.forEach(sync); }

  root.querySelectorAll("article.camera").forEach(function (card) {
    const tile = makeTile(card);
    tiles.set(tile.id, tile);
  });

  let observer = null;
  if (window.IntersectionObserver && mode !== "full") {
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        const tile = tiles.get(entry.target.dataset.camera);
        if (tile) { tile.inView = entry.isIntersecting; sync(tile); }
      });
    }, { rootMargin: "200px" });
    tiles.forEach(function (tile) { observer.observe(tile.card); });
  }

  syncAll();
  connect();
  tiles.forEach(tick);
  window.setInterval(function () { tiles.forEach(tick); }, 1000);

  document.addEventListener("visibilitychange", syncAll);
  window.addEventListener("pagehide", function () {
    leaving = true;
    stopTimer();
    closeTiles();
    tiles.forEach(clearPicture);
    if (source) { source.close(); source = null; }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    leaving = false;
    connect();
    syncAll();
  });
})();
