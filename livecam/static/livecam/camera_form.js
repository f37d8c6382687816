// The add/edit camera page: a source picker that writes the source field, and a Test button
// that probes the source (POST /api/sources/probe) and shows a preview, before anything is
// saved. Without JavaScript the source field is typed by hand. No inline script (CSP).
(function () {
  "use strict";

  const form = document.getElementById("camera-form");
  if (!form) { return; }
  const source = form.querySelector('[name="source"]');
  const picker = form.querySelector("[data-source-picker]");
  const testButton = form.querySelector("[data-test-source]");
  const result = form.querySelector("[data-probe-result]");
  const preview = form.querySelector("[data-probe-preview]");
  const csrf = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
  let previewUrl = null;

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (m, key) { return String(values[key] || ""); });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
    });
  }

  // ---- The picker: one part per kind; each writes the canonical source string.
  const writers = {
    device: function () { return form.querySelector("[data-device-select]").value ? "device:" + form.querySelector("[data-device-select]").value : ""; },
    file: function () { const v = form.querySelector("[data-file-input]").value.trim(); return v ? "file:" + v : ""; },
    url: function () { return form.querySelector("[data-url-input]").value.trim(); },
    mjpeg: function () { const v = form.querySelector("[data-mjpeg-input]").value.trim(); return v ? "mjpeg+" + v.replace(/^mjpeg\+/, "") : ""; },
    pattern: function () { return "pattern:"; },
  };

  function chosen() {
    const checked = picker.querySelector('input[name="kind"]:checked');
    return checked ? checked.value : "";
  }

  function show(kind) {
    picker.querySelectorAll(".picker-part").forEach(function (part) { part.hidden = part.dataset.kind !== kind; });
    if (kind === "device") { loadDevices(); }
    const text = writers[kind] ? writers[kind]() : "";
    if (text) { source.value = text; }
  }

  let devicesLoaded = false;
  function loadDevices() {
    if (devicesLoaded) { return; }
    devicesLoaded = true;
    const select = form.querySelector("[data-device-select]");
    const note = form.querySelector("[data-device-note]");
    fetch(form.dataset.devices, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.ok) { return response.json(); }
        // 503/504 with the capture process away: say why, and ask again on the next open.
        devicesLoaded = false;
        return response.json().then(function (data) {
          note.textContent = data.detail || response.statusText;
          return null;
        }, function () { note.textContent = response.statusText; return null; });
      })
      .then(function (devices) {
        if (devices === null) { return; }
        if (!devices.length) { note.textContent = form.dataset.msgNoDevices; return; }
        devices.forEach(function (device) {
          const option = document.createElement("option");
          option.value = device.by_id || device.path; // the stable path survives re-plugging
          const best = device.formats.length && device.formats[0].sizes.length ? device.formats[0].sizes[0] : null;
          option.textContent = device.name + " (" + device.path + (best ? ", " + best.width + "×" + best.height : "") + ")";
          select.appendChild(option);
        });
        show("device");
      });
  }

  function guessKind(text) {
    if (text.startsWith("device:")) { return "device"; }
    if (text.startsWith("file:")) { form.querySelector("[data-file-input]").value = text.slice(5); return "file"; }
    if (text.startsWith("mjpeg+")) { form.querySelector("[data-mjpeg-input]").value = text.slice(6); return "mjpeg"; }
    if (/^(rtsps?|https?):\/\//.test(text)) { form.querySelector("[data-url-input]").value = text; return "url"; }
    if (text === "pattern:") { return "pattern"; }
    return "";
  }

  picker.hidden = false;
  const initial = guessKind(source.value);
  if (initial) { picker.querySelector('input[value="' + initial + '"]').checked = true; show(initial); }
  picker.addEventListener("change", function (event) {
    if (event.target.name === "kind") { show(event.target.value); }
    else { show(chosen()); }
  });
  picker.addEventListener("input", function () { show(chosen()); });

  // ---- Test: probe, then a preview picture.
  testButton.hidden = false;
  testButton.addEventListener("click", function () {
    result.classList.remove("failed");
    result.textContent = form.dataset.msgTesting;
    preview.hidden = true;
    testButton.disabled = true;
    post(form.dataset.probe, { source: source.value.trim() })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (!data.ok) {
          result.classList.add("failed");
          result.textContent = fmt(form.dataset.msgFailed, { reason: data.error || data.detail });
          return null;
        }
        result.replaceChildren();
        const summary = document.createElement("p");
        summary.textContent = form.dataset.msgOk + " " + data.width + " × " + data.height + ", " +
          data.fps + " fps, " + data.codec + ". " + (data.passes_through ? form.dataset.msgPasses : form.dataset.msgDecoded);
        summary.setAttribute("data-probe-summary", "");
        result.appendChild(summary);
        return post(form.dataset.preview, { source: source.value.trim() });
      })
      .then(function (response) { return response && response.ok ? response.blob() : null; })
      .then(function (blob) {
        if (!blob) { return; }
        if (previewUrl) { URL.revokeObjectURL(previewUrl); }
        previewUrl = URL.createObjectURL(blob);
        preview.src = previewUrl;
        preview.hidden = false;
      })
      .catch(function (error) {
        result.classList.add("failed");
        result.textContent = fmt(form.dataset.msgFailed, { reason: error.message });
      })
      .finally(function () { testButton.disabled = false; });
  });
}());
