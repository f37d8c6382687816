// The timeline bar of the media page: recorded ranges, gaps and motion events of a window of
// time (minutes to many days) drawn on a bar with ticks in the page's zone; click, tap or drag
// to play from a moment; zoom and pan with buttons, the wheel or the keyboard. Playback itself
// is timeline_player.js: the two talk through tl:* events on #timeline.
(function () {
  "use strict";

  const root = document.getElementById("timeline");
  const time = window.livecamTime;
  if (!root || !time) { return; }
  const bar = root.querySelector(".tl-bar");
  const layers = root.querySelector(".tl-layers");
  const head = root.querySelector(".tl-head");
  const ticks = root.querySelector(".tl-ticks");
  const nowLabel = root.querySelector("[data-tl-now]");
  const spanLabel = root.querySelector("[data-tl-span]");
  const rangeLabel = root.querySelector("[data-tl-range]");
  const download = root.querySelector('[data-tl="download"]');
  const stateLabel = root.querySelector("[data-tl-state]");
  const clipMax = Number(root.dataset.clipMax || 3600);
  const MINUTE = 60, HOUR = 3600, DAY = 86400;
  const SPANS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 12 * HOUR, DAY, 3 * DAY, 7 * DAY, 30 * DAY];
  const STEPS = [10, 30, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY];
  const JOIN_S = 2; // segments closer than this draw as one range (30 days of minutes stay light)
  const REFRESH_MS = 10000; // a window reaching now is re-read this often: new segments appear

  let zoom = SPANS.indexOf(HOUR);
  let viewEnd = Date.now() / 1000 + MINUTE;
  let cursor = null; // the playhead's Unix moment, once something played
  let dragging = false;
  let loaded = 0; // answers drawn, for tests
  let asked = 0;

  function span() { return SPANS[zoom]; }
  function viewStart() { return viewEnd - span(); }
  function emit(name, detail) { root.dispatchEvent(new CustomEvent(name, { detail: detail || {} })); }
  function percent(t) { return ((t - viewStart()) / span()) * 100; }

  function block(kind, start, end, title) {
    const node = document.createElement("div");
    const left = Math.max(0, percent(start));
    const right = Math.min(100, percent(end));
    node.className = "tl-" + kind;
    node.style.left = left + "%";
    node.style.width = Math.max(0, right - left) + "%";
    if (title) { node.title = title; }
    return node;
  }

  function joined(list) {
    const out = [];
    list.forEach(function (item) {
      const last = out[out.length - 1];
      if (last && item.start - last.end <= JOIN_S) { last.end = Math.max(last.end, item.end); } else {
        out.push({ start: item.start, end: item.end });
      }
    });
    return out;
  }

  function draw(data) {
    const fragment = document.createDocumentFragment();
    const label = function (r) { return time.clockSeconds(r.start) + " – " + time.clockSeconds(r.end); };
    data.gaps.forEach(function (r) { fragment.appendChild(block("gap", r.start, r.end, label(r))); });
    (data.ranges || joined(data.segments)).forEach(function (r) { fragment.appendChild(block("range", r.start, r.end, label(r))); });
    data.events.forEach(function (r) { fragment.appendChild(block("event", r.start, Math.max(r.end, r.start + span() / 400), label(r))); });
    layers.replaceChildren(fragment);
    root.dataset.segments = String(data.segments.length);
    root.dataset.ranges = String((data.ranges || joined(data.segments)).length);
    showState(data.recording);
    root.dataset.events = String(data.events.length);
    loaded += 1;
    root.dataset.loaded = String(loaded);
    emit("tl:segments", { segments: data.segments });
  }

  // The continuous recording's state (recording, paused and why, …) under the bar.
  function showState(recording) {
    if (!stateLabel) { return; }
    const state = recording && recording.state ? recording.state : "";
    const word = stateLabel.dataset["w" + state.replace(/[^a-z]/g, "")] || state;
    stateLabel.textContent = word + (recording && recording.reason ? " (" + recording.reason + ")" : "");
    stateLabel.dataset.state = state;
  }

  function drawTicks() {
    const width = bar.clientWidth || 320;
    const wanted = span() / Math.max(2, Math.floor(width / 90));
    const step = STEPS.find(function (s) { return s >= wanted; }) || STEPS[STEPS.length - 1];
    const shift = time.offset(viewStart());
    const fragment = document.createDocumentFragment();
    for (let t = Math.ceil((viewStart() + shift) / step) * step - shift; t < viewEnd; t += step) {
      if (percent(t) < 2 || percent(t) > 95) { continue; } // a label there would be cut off
      const tick = document.createElement("span");
      tick.style.left = percent(t) + "%";
      const label = step < MINUTE ? time.clockSeconds : time.clock;
      tick.textContent = step >= DAY || (t + shift) % DAY === 0 ? time.day(t) : label(t);
      fragment.appendChild(tick);
    }
    ticks.replaceChildren(fragment);
  }

  function drawHead() {
    const inView = cursor !== null && cursor >= viewStart() && cursor <= viewEnd;
    head.classList.toggle("hidden", !inView);
    if (inView) { head.style.left = percent(cursor) + "%"; }
    const shownAt = cursor === null ? viewEnd : cursor;
    bar.dataset.start = String(viewStart()); // exact, for tests (the aria values are whole seconds)
    bar.dataset.end = String(viewEnd);
    bar.setAttribute("aria-valuemin", String(Math.floor(viewStart())));
    bar.setAttribute("aria-valuemax", String(Math.ceil(viewEnd)));
    bar.setAttribute("aria-valuenow", String(Math.round(shownAt)));
    bar.setAttribute("aria-valuetext", time.full(shownAt));
    if (nowLabel) { nowLabel.textContent = cursor === null ? "" : time.full(cursor); }
  }

  function refresh() {
    const start = viewStart(), end = viewEnd;
    const mine = ++asked;
    spanLabel.textContent = spanLabel.dataset["s" + span()] || "";
    rangeLabel.textContent = time.day(start) + " " + time.clock(start) + " – " + time.day(end) + " " + time.clock(end);
    const clipStart = Math.floor(start);
    const clipEnd = Math.ceil(Math.max(Math.min(end, Date.now() / 1000), start + 1));
    const tooLong = clipEnd - clipStart > clipMax;
    download.href = root.dataset.clip + "?start=" + clipStart + "&end=" + clipEnd;
    download.setAttribute("aria-disabled", tooLong ? "true" : "false");
    download.title = tooLong ? download.dataset.tooLong : "";
    drawTicks();
    drawHead();
    time.load(start, end).then(function (data) { if (mine === asked) { draw(data); } })
      .catch(function () { root.dataset.failed = String(Number(root.dataset.failed || 0) + 1); });
  }

  // Zoom one level in (-1) or out (+1), keeping the moment `around` where it is on the bar.
  function zoomBy(by, around) {
    const next = Math.min(SPANS.length - 1, Math.max(0, zoom + by));
    if (next === zoom) { return; }
    const anchor = around !== undefined ? around : (cursor !== null ? cursor : viewEnd);
    const fraction = Math.min(1, Math.max(0, (anchor - viewStart()) / span()));
    zoom = next;
    viewEnd = anchor + (1 - fraction) * span();
    refresh();
  }

  function pan(fraction) { viewEnd += fraction * span(); refresh(); }

  function at(clientX) {
    const box = bar.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return viewStart() + fraction * span();
  }

  bar.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    dragging = true;
    bar.setPointerCapture(event.pointerId);
    cursor = at(event.clientX);
    drawHead();
    event.preventDefault();
    bar.focus({ preventScroll: true });
  });
  bar.addEventListener("pointermove", function (event) {
    if (!dragging) { return; }
    cursor = at(event.clientX);
    drawHead();
  });
  function release(event) {
    if (!dragging) { return; }
    dragging = false;
    cursor = at(event.clientX);
    drawHead();
    emit("tl:seek", { time: cursor });
  }
  bar.addEventListener("pointerup", release);
  bar.addEventListener("pointercancel", function () { dragging = false; });
  bar.addEventListener("wheel", function (event) {
    if (!event.deltaY) { return; }
    event.preventDefault();
    zoomBy(event.deltaY > 0 ? 1 : -1, at(event.clientX));
  }, { passive: false });

  root.addEventListener("tl:time", function (event) {
    if (dragging) { return; }
    cursor = event.detail.time;
    if (cursor > viewEnd || cursor < viewStart()) { viewEnd = cursor + span() * 0.9; refresh(); } else { drawHead(); }
  });

  const actions = {
    "zoom-in": function () { zoomBy(-1); },
    "zoom-out": function () { zoomBy(1); },
    earlier: function () { pan(-0.5); },
    later: function () { pan(0.5); },
    back: function () { emit("tl:step", { by: -10 }); },
    forward: function () { emit("tl:step", { by: 10 }); },
    play: function () { emit("tl:toggle"); },
  };
  root.addEventListener("click", function (event) {
    if (event.target.closest('[data-tl="download"][aria-disabled="true"]')) { event.preventDefault(); return; }
    const button = event.target.closest("button[data-tl], button[data-speed]");
    if (!button) { return; }
    if (button.dataset.speed) {
      root.querySelectorAll("button[data-speed]").forEach(function (other) {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      emit("tl:speed", { rate: Number(button.dataset.speed) });
    } else if (actions[button.dataset.tl]) {
      actions[button.dataset.tl]();
    }
  });

  // Keys anywhere in the timeline (but a focused button keeps its own Space and Enter).
  root.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    const onControl = event.target.closest("button, a, input, select");
    const keys = {
      ArrowLeft: function () { emit("tl:step", { by: event.shiftKey ? -60 : -10 }); },
      ArrowRight: function () { emit("tl:step", { by: event.shiftKey ? 60 : 10 }); },
      "+": actions["zoom-in"], "=": actions["zoom-in"], "-": actions["zoom-out"], _: actions["zoom-out"],
      PageUp: actions.earlier, PageDown: actions.later,
      " ": onControl ? null : actions.play,
      Enter: onControl ? null : function () { emit("tl:seek", { time: cursor !== null ? cursor : viewStart() }); },
    };
    const action = keys[event.key];
    if (!action) { return; }
    event.preventDefault();
    action();
  });

  window.addEventListener("resize", drawTicks);
  window.setInterval(function () {
    if (document.hidden || dragging || viewEnd < Date.now() / 1000 - span()) { return; }
    refresh();
  }, REFRESH_MS);
  refresh();
}());
