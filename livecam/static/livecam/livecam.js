// livecam pages: live state from /api/events, instant ON/OFF, and stream hygiene.
// No inline scripts (strict CSP); camera names are only ever set with textContent.
(function () {
  "use strict";

  var root = document.getElementById("cameras");
  if (!root) { return; }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function cards(id) {
    return root.querySelectorAll('article.camera[data-camera="' + CSS.escape(id) + '"]');
  }

  // Clearing src is what makes the browser close the MJPEG connection, so the server sees
  // the viewer leave (an <img> keeps streaming after it is merely hidden).
  function setStreaming(card, on) {
    var img = card.querySelector("img");
    if (!img) { return; }
    if (on && !document.hidden) {
      if (!img.getAttribute("src")) { img.setAttribute("src", card.dataset.stream + "?t=" + Date.now()); }
    } else if (img.getAttribute("src")) {
      img.removeAttribute("src");
    }
  }

  function render(card, cam) {
    card.dataset.enabled = cam.enabled ? "true" : "false";
    card.className = card.className.replace(/\bstate-\S+/g, "").trim() + " state-" + cam.state;
    var field = function (name) { return card.querySelector('[data-field="' + name + '"]'); };
    if (field("state")) { field("state").textContent = cam.state; }
    if (field("error")) { field("error").textContent = cam.error || ""; }
    if (field("fps")) { field("fps").textContent = cam.online ? cam.fps + " fps" : ""; }
    if (field("viewers")) { field("viewers").textContent = String(cam.viewers); }
    if (field("note")) { field("note").textContent = cam.enabled ? "" : card.dataset.offText || "OFF"; }
    if (field("retry")) { field("retry").dataset.retryAt = cam.state === "error" && cam.retry_at ? String(cam.retry_at) : ""; }
    if (field("last-frame")) { field("last-frame").dataset.at = cam.last_frame_at ? String(cam.last_frame_at) : ""; }
    card.dataset.online = cam.online ? "true" : "false";
    tick(card);
    var button = card.querySelector("button.switch");
    if (button) {
      button.value = cam.enabled ? "off" : "on";
      button.textContent = cam.enabled ? "ON" : "OFF";
      button.classList.toggle("on", cam.enabled);
      button.classList.toggle("off", !cam.enabled);
      button.setAttribute("aria-pressed", cam.enabled ? "true" : "false");
    }
    setStreaming(card, cam.enabled);
  }

  // The retry countdown and the age of the last frame, refreshed every second.
  function tick(card) {
    var now = Date.now() / 1000;
    var retry = card.querySelector('[data-field="retry"]');
    if (retry) {
      var at = parseFloat(retry.dataset.retryAt || "");
      retry.textContent = isNaN(at) ? "" : (at > now ? "retrying in " + Math.ceil(at - now) + " s" : "retrying now");
    }
    var last = card.querySelector('[data-field="last-frame"]');
    if (last) {
      var seen = parseFloat(last.dataset.at || "");
      last.textContent = isNaN(seen) || card.dataset.online === "true" ? "" :
        "last frame " + Math.max(0, Math.round(now - seen)) + " s ago";
    }
  }
  window.setInterval(function () { root.querySelectorAll("article.camera").forEach(tick); }, 1000);

  function update(cam) {
    cards(cam.id).forEach(function (card) { render(card, cam); });
  }

  root.querySelectorAll("article.camera").forEach(function (card) {
    card.dataset.online = card.classList.contains("state-online") ? "true" : "false";
    tick(card);
    var note = card.querySelector('[data-field="note"]');
    card.dataset.offText = note && note.textContent ? note.textContent : "Camera is OFF";
  });

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form.power");
    if (!form) { return; }
    event.preventDefault();
    var card = form.closest("article.camera");
    var id = card.dataset.camera;
    var want = event.submitter ? event.submitter.value : form.querySelector("button").value;
    var before = card.dataset.enabled === "true";
    update({ id: id, enabled: want === "on", state: want === "on" ? "starting" : "stopping",
             online: false, fps: 0, error: "", viewers: card.querySelector('[data-field="viewers"]').textContent });
    fetch("/api/cameras/" + encodeURIComponent(id) + "/" + want, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.detail || response.statusText); }
        update(body);
      });
    }).catch(function (error) {
      update({ id: id, enabled: before, state: "error", online: false, fps: 0,
               error: String(error.message || error), viewers: 0 });
    });
  });

  var source = null;
  function connect() {
    if (!window.EventSource || source) { return; }
    source = new EventSource(root.dataset.events);
    source.addEventListener("camera", function (event) { update(JSON.parse(event.data)); });
  }
  connect();

  document.addEventListener("visibilitychange", function () {
    root.querySelectorAll("article.camera").forEach(function (card) {
      setStreaming(card, card.dataset.enabled === "true");
    });
  });
  window.addEventListener("pagehide", function () {
    root.querySelectorAll("article.camera img").forEach(function (img) { img.removeAttribute("src"); });
    if (source) { source.close(); source = null; }
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    connect();
    root.querySelectorAll("article.camera").forEach(function (card) {
      setStreaming(card, card.dataset.enabled === "true");
    });
  });
})();
