// Camera page tools: picture controls (sliders, switches, menus applied live through
// PATCH /api/cameras/<id>/controls) and privacy masks drawn with the pointer over the picture
// (PUT /api/cameras/<id>/masks, stored in percent of the frame). No inline script (CSP).
(function () {
  "use strict";

  function csrf() {
    const input = document.querySelector('.tools-csrf input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function fmt(text, values) {
    return String(text || "").replace(/%\((\w+)\)s/g, function (m, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function send(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw new Error(data.detail || String(response.status)); }
        return data;
      });
    });
  }

  // ---- Picture controls
  function controlsPanel(panel) {
    const list = panel.querySelector("[data-controls-list]");
    const status = panel.querySelector("[data-controls-status]");
    const timers = {};

    function apply(name, value, row) {
      clearTimeout(timers[name]);
      timers[name] = setTimeout(function () { // a dragged slider sends its value once it rests
        const body = {};
        body[name] = value;
        send("PATCH", panel.dataset.url, body).then(function () {
          status.textContent = panel.dataset.msgSaved;
          row.classList.remove("invalid");
        }).catch(function (error) {
          status.textContent = fmt(panel.dataset.msgFailed, { reason: error.message });
          row.classList.add("invalid");
        });
      }, 120);
    }

    function row(control) {
      const item = document.createElement("div");
      item.className = "control-row";
      const id = "control-" + control.name;
      const label = document.createElement("label");
      label.htmlFor = id;
      const words = control.name.replace(/_/g, " ");
      label.textContent = words.charAt(0).toUpperCase() + words.slice(1);
      let input;
      const shown = document.createElement("output");
      shown.htmlFor = id;
      if (control.type === "boolean") {
        input = document.createElement("input");
        input.type = "checkbox";
        input.checked = control.value !== 0;
        input.addEventListener("change", function () { apply(control.name, input.checked ? 1 : 0, item); });
      } else if (control.type === "menu") {
        input = document.createElement("select");
        control.menu.forEach(function (choice) {
          const option = document.createElement("option");
          option.value = String(choice.value);
          option.textContent = choice.label;
          option.selected = choice.value === control.value;
          input.appendChild(option);
        });
        input.addEventListener("change", function () { apply(control.name, Number(input.value), item); });
      } else {
        input = document.createElement("input");
        input.type = "range";
        input.min = control.min; input.max = control.max; input.step = control.step;
        input.value = control.value;
        shown.textContent = String(control.value);
        input.addEventListener("input", function () {
          shown.textContent = input.value;
          apply(control.name, Number(input.value), item);
        });
      }
      input.id = id;
      input.name = control.name;
      item.append(label, input, shown);
      return item;
    }

    send("GET", panel.dataset.url).then(function (controls) {
      panel.querySelector("[data-controls-empty]").hidden = controls.length > 0;
      controls.forEach(function (control) { list.appendChild(row(control)); });
      panel.dataset.ready = "true";
    }).catch(function (error) { status.textContent = error.message; });
  }

  // ---- Privacy masks
  function masksPanel(panel) {
    const view = document.getElementById(panel.dataset.view);
    const image = view && view.querySelector("img");
    if (!view || !image) { return; }
    const layer = document.createElement("div");
    layer.className = "mask-layer";
    layer.setAttribute("data-mask-layer", "");
    view.appendChild(layer);
    const drawButton = panel.querySelector("[data-masks-draw]");
    const status = panel.querySelector("[data-masks-status]");
    let masks = [];
    let start = null;
    let sketch = null;

    function box() { // the picture's own box inside the view (object-fit: contain)
      const v = view.getBoundingClientRect();
      const video = view.querySelector("video:not([hidden])"); // player.js's H.264 picture, when it shows
      const r = (video || image).getBoundingClientRect();
      const natural = video && video.videoHeight ? video.videoWidth / video.videoHeight
        : image.naturalWidth && image.naturalHeight ? image.naturalWidth / image.naturalHeight : r.width / Math.max(1, r.height);
      let width = r.width, height = r.width / natural;
      if (height > r.height) { height = r.height; width = r.height * natural; }
      return { left: r.left - v.left + (r.width - width) / 2, top: r.top - v.top + (r.height - height) / 2, width: width, height: height };
    }

    function place(element, rect) {
      element.style.left = rect.x + "%"; element.style.top = rect.y + "%";
      element.style.width = rect.w + "%"; element.style.height = rect.h + "%";
    }

    function render() {
      const b = box();
      layer.style.left = b.left + "px"; layer.style.top = b.top + "px";
      layer.style.width = b.width + "px"; layer.style.height = b.height + "px";
      layer.replaceChildren();
      masks.forEach(function (rect) {
        const element = document.createElement("div");
        element.className = "mask-rect";
        place(element, rect);
        layer.appendChild(element);
      });
      panel.querySelector("[data-masks-count]").textContent = fmt(panel.dataset.msgCount, { count: masks.length });
    }

    function percent(event) {
      const r = layer.getBoundingClientRect();
      const clamp = function (v) { return Math.min(100, Math.max(0, v)); };
      return { x: clamp((event.clientX - r.left) / r.width * 100), y: clamp((event.clientY - r.top) / r.height * 100) };
    }

    function round(v) { return Math.round(v * 100) / 100; }

    layer.addEventListener("pointerdown", function (event) {
      start = percent(event);
      layer.setPointerCapture(event.pointerId);
      sketch = document.createElement("div");
      sketch.className = "mask-rect";
      layer.appendChild(sketch);
    });
    layer.addEventListener("pointermove", function (event) {
      if (!start || !sketch) { return; }
      const p = percent(event);
      place(sketch, { x: Math.min(start.x, p.x), y: Math.min(start.y, p.y), w: Math.abs(p.x - start.x), h: Math.abs(p.y - start.y) });
    });
    layer.addEventListener("pointerup", function (event) {
      if (!start) { return; }
      const p = percent(event);
      const rect = { x: round(Math.min(start.x, p.x)), y: round(Math.min(start.y, p.y)), w: round(Math.abs(p.x - start.x)), h: round(Math.abs(p.y - start.y)) };
      rect.w = Math.min(rect.w, round(100 - rect.x)); rect.h = Math.min(rect.h, round(100 - rect.y));
      start = null; sketch = null;
      if (rect.w >= 0.5 && rect.h >= 0.5 && rect.x < 100 && rect.y < 100) { masks.push(rect); }
      render();
    });

    drawButton.addEventListener("click", function () {
      const on = !layer.classList.contains("drawing");
      layer.classList.toggle("drawing", on);
      drawButton.setAttribute("aria-pressed", String(on));
      status.textContent = on ? panel.dataset.msgDraw : "";
      if (on) { view.scrollIntoView({ block: "center" }); } // the picture may be scrolled away
      render();
    });
    panel.querySelector("[data-masks-undo]").addEventListener("click", function () { masks.pop(); render(); });
    panel.querySelector("[data-masks-save]").addEventListener("click", function () {
      send("PUT", panel.dataset.url, { masks: masks }).then(function (data) {
        masks = data.masks;
        panel.querySelector("[data-masks-reencode]").hidden = !data.reencodes;
        status.textContent = panel.dataset.msgSaved;
        render();
      }).catch(function (error) { status.textContent = fmt(panel.dataset.msgFailed, { reason: error.message }); });
    });
    image.addEventListener("load", render);
    view.addEventListener("playing", render, true); // media events do not bubble: capture them
    view.addEventListener("resize", render, true); // the H.264 picture changed size
    window.addEventListener("resize", render);
    send("GET", panel.dataset.url).then(function (data) {
      masks = data.masks;
      panel.querySelector("[data-masks-reencode]").hidden = !data.reencodes;
      render();
      panel.dataset.ready = "true";
    });
  }

  document.querySelectorAll("#camera-controls").forEach(controlsPanel);
  document.querySelectorAll("#camera-masks").forEach(masksPanel);
}());
