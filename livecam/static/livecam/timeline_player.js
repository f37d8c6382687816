// Timeline playback: plays recorded segments (each an MP4 of its own) from any moment, on
// from one segment to the next without a visible stall: two <video> elements take turns, the
// hidden one already loaded with the next segment, so a boundary is a swap, not a load.
// It listens to the bar's tl:* events on #timeline and answers with tl:time; figures for
// tests and the docs (first picture after a seek, the gap between pictures across a boundary)
// are on window.livecamTimeline.
(function () {
  "use strict";

  const root = document.getElementById("timeline");
  const time = window.livecamTime;
  if (!root || !time) { return; }
  const videos = Array.prototype.slice.call(root.querySelectorAll("video.tl-video"));
  const note = root.querySelector("[data-tl-note]");
  const playButton = root.querySelector('[data-tl="play"]');
  const AHEAD_S = 3600; // segments fetched ahead of the playhead at once
  const DISPLAY_MS = 1000 / 60; // a swap shows on the next screen refresh
  const JOIN_S = 1.5; // a next segment starting later than this after the end is past a gap
  const stats = { seeks: 0, firstPictureMs: [], boundaryGapMs: [], crossings: 0, skippedGaps: 0,
    lastSeek: null, time: null, playing: false, segment: null, rate: 1 };
  window.livecamTimeline = stats;

  let segments = []; // sorted {start, end, url}, only those with a URL (playable)
  let active = 0; // index into videos of the one shown
  let current = null; // the segment the shown video plays
  let queued = null; // the segment the hidden video holds
  let rate = 1;
  let lastFrameAt = null; // performance.now() of the newest picture the shown video presented
  let seekAt = null; // performance.now() of the last seek, until its first picture
  let boundaryFrom = null; // lastFrameAt when the shown video ended, until the next one's picture
  let handing = null; // the next segment, while the hidden video starts on it

  function merge(list) {
    const byUrl = {};
    segments.concat(list).forEach(function (item) { if (item.url) { byUrl[item.url] = item; } });
    segments = Object.keys(byUrl).map(function (url) { return byUrl[url]; })
      .sort(function (a, b) { return a.start - b.start; });
  }

  function say(text) {
    if (!note) { return; }
    note.textContent = text || "";
    note.classList.toggle("hidden", !text);
  }

  function containing(t) {
    for (let i = 0; i < segments.length; i += 1) {
      if (segments[i].end > t) { return segments[i]; } // the first ending after t: holds t or follows it
    }
    return null;
  }

  function after(segment) {
    const index = segments.indexOf(segment);
    return index >= 0 && index + 1 < segments.length ? segments[index + 1] : null;
  }

  function shown() { return videos[active]; }
  function hidden() { return videos[1 - active]; }

  function load(video, segment) {
    if (video.dataset.url !== segment.url) {
      video.dataset.url = segment.url;
      video.dataset.base = "";
      video.src = segment.url;
      video.load();
    }
    video.playbackRate = rate;
  }

  // Keep the next segment loaded (paused, first picture decoded) in the hidden video.
  function queueNext() {
    const next = current && after(current);
    if (next) {
      queued = next;
      load(hidden(), next);
      return;
    }
    queued = null;
    if (current) { // near the newest data: ask for what came since
      time.load(current.end - 1, current.end + AHEAD_S).then(function (data) {
        merge(data.segments);
        if (!queued && current && after(current)) { queueNext(); }
      }).catch(function () { /* the end of this segment tries again */ });
    }
  }

  // Each picture a video presents: figures, and the hand-over to the next segment. When the
  // shown video presents its last picture, the hidden one starts (still hidden); when that
  // presents its first picture, the two swap. Waiting for "ended" to start it costs a frame.
  function watchFrames(video) {
    if (!video.requestVideoFrameCallback) { return; }
    let previous = null;
    video.requestVideoFrameCallback(function presented(now, frame) {
      video.requestVideoFrameCallback(presented);
      if (video === hidden() && handing && !video.paused) { swap(now + DISPLAY_MS); return; }
      if (video !== shown() || video.paused) { previous = null; return; }
      if (seekAt !== null) { stats.firstPictureMs.push(Math.round(now - seekAt)); seekAt = null; }
      if (boundaryFrom !== null) { stats.boundaryGapMs.push(Math.round(now - boundaryFrom)); boundaryFrom = null; }
      lastFrameAt = now;
      const interval = previous === null ? 0 : frame.mediaTime - previous;
      previous = frame.mediaTime;
      if (interval > 0 && queued && !handing && hidden().readyState >= 2 &&
          frame.mediaTime + 1.5 * interval >= video.duration) {
        handing = queued;
        start(hidden());
      }
    });
  }

  // The hidden video presented the next segment's first picture: show it instead.
  function swap(visibleAt) {
    const previous = shown();
    stats.boundaryGapMs.push(Math.round(visibleAt - lastFrameAt));
    crossed(handing);
    show(1 - active);
    previous.pause();
    queueNext();
  }

  function crossed(next) {
    if (next.start - current.end > JOIN_S) { stats.skippedGaps += 1; }
    stats.crossings += 1;
    current = next;
    handing = null;
    stats.segment = next.url;
  }

  function show(index) {
    active = index;
    videos.forEach(function (video, i) { video.classList.toggle("tl-hidden", i !== index); });
  }

  function start(video) {
    video.playbackRate = rate;
    const promise = video.play();
    if (promise && promise.catch) { promise.catch(function () { /* paused by the user meanwhile */ }); }
  }

  // Play from the Unix moment t: the segment holding it, or the next one after a gap.
  function seek(t, play) {
    const segment = containing(t);
    if (!segment) {
      time.load(t - 60, t + AHEAD_S).then(function (data) {
        merge(data.segments);
        if (containing(t)) { seek(t, play); } else { say(root.dataset.nothing || ""); }
      }).catch(function () { say(root.dataset.nothing || ""); });
      return;
    }
    say("");
    stats.seeks += 1;
    stats.lastSeek = t;
    seekAt = play ? performance.now() : null;
    boundaryFrom = null;
    handing = null;
    const offset = Math.max(0, t - segment.start);
    let video = shown();
    if (segment === queued) { show(1 - active); video = shown(); }
    hidden().pause();
    current = segment;
    stats.segment = segment.url;
    load(video, segment);
    const go = function () {
      const end = Number.isFinite(video.duration) ? video.duration - 0.05 : Infinity;
      video.currentTime = Math.min(base(video) + offset, Math.max(base(video), end));
      if (play) { start(video); }
      queueNext();
    };
    if (video.readyState >= 2) { go(); } else { video.addEventListener("loadeddata", go, { once: true }); }
    show(active);
    report();
  }

  // Without the hand-over (no requestVideoFrameCallback, or a picture missed): at the end.
  function onEnded(event) {
    if (event.target !== shown() || handing) { return; }
    const next = queued;
    if (!next) { stats.playing = false; report(); return; }
    boundaryFrom = lastFrameAt;
    crossed(next);
    show(1 - active);
    start(shown());
    queueNext();
  }

  // Where the segment's media time starts: segments keep the live stream's running
  // timestamps, and a freshly loaded video stands at its first picture (buffered and
  // seekable still start at 0, so they cannot tell).
  function base(video) { return Number(video.dataset.base || 0); }

  function now() {
    return current ? current.start + shown().currentTime - base(shown()) : null;
  }

  function report() {
    stats.time = now();
    stats.playing = Boolean(current) && !shown().paused && !shown().ended;
    stats.rate = rate;
    if (playButton) {
      playButton.setAttribute("aria-pressed", stats.playing ? "true" : "false");
      playButton.textContent = stats.playing ? playButton.dataset.pause : playButton.dataset.play;
    }
    if (stats.time !== null) {
      root.dispatchEvent(new CustomEvent("tl:time", { detail: { time: stats.time, playing: stats.playing } }));
    }
  }

  videos.forEach(function (video) {
    watchFrames(video);
    video.addEventListener("loadeddata", function () {
      if (video.dataset.base === "") { video.dataset.base = String(video.currentTime); }
    });
    video.muted = true; // cameras record no sound; muted video may start without a gesture
    video.addEventListener("ended", onEnded);
    video.addEventListener("timeupdate", function () { if (video === shown()) { report(); } });
    video.addEventListener("play", report);
    video.addEventListener("pause", report);
  });

  root.addEventListener("tl:segments", function (event) {
    merge(event.detail.segments);
    if (current) { queueNext(); } else if (segments.length && !stats.seeks) {
      seek(segments[segments.length - 1].start, false); // a picture on the stage, ready to play
    }
  });
  root.addEventListener("tl:seek", function (event) { seek(event.detail.time, true); });
  root.addEventListener("tl:step", function (event) {
    const t = now();
    if (t !== null) { seek(t + event.detail.by, !shown().paused); }
  });
  root.addEventListener("tl:toggle", function () {
    const video = shown();
    if (!current) { if (segments.length) { seek(segments[segments.length - 1].start, true); } return; }
    if (video.paused || video.ended) { start(video); } else { video.pause(); }
  });
  root.addEventListener("tl:speed", function (event) {
    rate = event.detail.rate;
    videos.forEach(function (video) { video.playbackRate = rate; });
    report();
  });
}());
