// The H.264 player: stream.mp4 through Media Source Extensions into a <video> of one camera
// card, kept near the live edge, with the card's MJPEG <img> (streamed by livecam.js) as the
// fallback. Any number of cards: window.livecamVideo.attach(card, options) returns a
// controller. player_page.js (camera page) and player_cards.js (dashboard) decide when.
(function () {
  "use strict";

  const PROBE = 'video/mp4; codecs="avc1.42E01E"'; // Constrained Baseline 3.0, before the avcC is read
  const FIRST_PICTURE_MS = 3000; // no picture by then: MJPEG
  const KEEP_S = 3; // seconds of video kept behind the playhead
  const BEHIND_S = 0.5; // further behind the newest picture than this: jump to it (a new viewer
  // starts at the cached GOP's keyframe, up to a keyframe interval old: this bounds that too)
  const MAX_ERRORS = 3; // decode errors in a row before MJPEG
  const RETRY_MS = 2000;

  // options: url() → the stream.mp4 address; strings; stats (an object filled for tests and
  // benchmarks); preference() → "auto" | "h264" | "mjpeg"; allowed() → false pauses the stream
  // (scrolled away, no connection to spare); overlap: keep the MJPEG stream until the first
  // H.264 picture (no blank moment) or stop it first (one connection per card); onMode(mode,
  // reason) and onSession(open) tell the page.
  function attach(card, options) {
    const boxes = window.livecamBoxes;
    const img = card.querySelector(".view img");
    const strings = options.strings || {};
    const stats = Object.assign(options.stats || {}, {
      mode: "", reason: "", framesPresented: 0, latencies: [], firstPictureMs: null, errors: 0, jumps: 0,
    });
    const noop = function () { /* not asked for */ };
    const onMode = options.onMode || noop;
    const onSession = options.onSession || noop;
    const allowed = options.allowed || function () { return true; };
    const preference = options.preference || function () { return "auto"; };

    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.disableRemotePlayback = true; // ManagedMediaSource plays only with remote playback off
    video.hidden = true;
    video.setAttribute("aria-label", img.getAttribute("alt") || "");
    img.parentNode.insertBefore(video, img);

    let session = null;
    let fallen = ""; // why Auto gave up on H.264 for this card ("" while it has not)
    let errorsInRow = 0;

    function show(mode, reason) {
      stats.mode = mode;
      stats.reason = reason || "";
      onMode(mode, reason || "");
    }

    // livecam.js streams the <img> unless the card says H.264 is showing.
    function handOver(mode) {
      if (card.dataset.video === mode) { return; }
      card.dataset.video = mode;
      card.dispatchEvent(new CustomEvent("livecam:video"));
    }

    function wanted() {
      return card.dataset.enabled === "true" && !document.hidden && allowed();
    }

    function useMjpeg(reason) {
      close();
      video.hidden = true;
      show("mjpeg", reason);
      handOver("mjpeg");
    }

    function fallBack(reason) {
      fallen = reason;
      useMjpeg(reason);
    }

    function update() {
      if (!card.isConnected) { close(); return; } // the camera was removed: nothing to play
      if (card.dataset.enabled !== "true") { // OFF: nothing plays, so no mode is named
        close();
        video.hidden = true;
        show("", "");
        return;
      }
      const pick = preference();
      if (pick === "mjpeg") { useMjpeg(""); return; }
      if (pick === "auto" && fallen) { useMjpeg(fallen); return; }
      if (!wanted()) { close(); video.hidden = true; return; }
      if (session) { return; }
      const Source = window.ManagedMediaSource || window.MediaSource;
      if (!Source) { fallBack(strings.noMse || "no Media Source Extensions"); return; }
      if (!Source.isTypeSupported(PROBE)) { fallBack(strings.noCodec || "no H.264 decoder"); return; }
      open(Source);
    }

    function open(Source) {
      const s = {
        source: new Source(), controller: new AbortController(), buffer: null, queue: [],
        codec: "", shown: false, seeked: false, captures: new Map(), url: "", timer: null,
      };
      session = s;
      if (!options.overlap) { handOver("h264"); } // this card's one connection is the video's
      s.url = URL.createObjectURL(s.source);
      video.src = s.url;
      s.timer = setTimeout(function () {
        if (session === s && !s.shown) { fallBack(strings.noPicture || "no picture arrived"); }
      }, FIRST_PICTURE_MS);
      s.source.addEventListener("sourceopen", function () { read(s); }, { once: true });
      watchFrames(s);
      onSession(true);
    }

    function close() {
      const s = session;
      if (!s) { return; }
      session = null; // first: the aborted fetch must not count as a failure
      clearTimeout(s.timer);
      s.controller.abort();
      video.removeAttribute("src");
      video.load();
      URL.revokeObjectURL(s.url);
      onSession(false);
    }

    function later() {
      setTimeout(function () { if (!session) { update(); } }, RETRY_MS);
    }

    function restart(s, reason) {
      if (session !== s) { return; }
      errorsInRow += 1;
      stats.errors += 1;
      if (errorsInRow >= MAX_ERRORS) { fallBack(reason); return; }
      close();
      later();
    }

    // ---- Reading: the response is split into top-level boxes as it arrives.

    async function read(s) {
      let response;
      try {
        const url = options.url() + (options.url().indexOf("?") < 0 ? "?" : "&") + "t=" + Date.now();
        response = await fetch(url, { signal: s.controller.signal, credentials: "same-origin", cache: "no-store" });
      } catch (error) {
        restart(s, strings.network || "the server did not answer");
        return;
      }
      if (!response.ok || !response.body) {
        const body = await response.json().catch(function () { return {}; });
        if (session === s) { fallBack(body.detail || String(response.status)); }
        return;
      }
      const reader = response.body.getReader();
      let pending = new Uint8Array(0);
      let init = [];
      let moof = null;
      try {
        while (session === s) {
          const chunk = await reader.read();
          if (chunk.done) { break; }
          pending = boxes.joined(pending, chunk.value);
          let at = 0;
          for (;;) {
            const box = boxes.nextBox(pending, at);
            if (!box) { break; }
            const bytes = pending.subarray(at, at + box.size);
            at += box.size;
            if (box.type === "ftyp") { init = [bytes.slice()]; }
            else if (box.type === "moov") { init.push(bytes.slice()); appendInit(s, boxes.concat(init)); }
            else if (box.type === "prft") { noteCapture(s, bytes); }
            else if (box.type === "moof") { moof = bytes.slice(); }
            else if (box.type === "mdat" && moof) { enqueue(s, { media: boxes.concat([moof, bytes]) }); moof = null; }
          }
          pending = pending.slice(at);
        }
      } catch (error) {
        if (session === s) { restart(s, strings.decodeError || "the H.264 stream could not be decoded"); }
        return;
      }
      reader.cancel().catch(function () { /* already closed */ });
      // The server ends a stream when access changes or the camera goes: open it again.
      if (session === s) { close(); later(); }
    }

    // prft: the capture wall clock of a picture, kept by its media time for the latency.
    function noteCapture(s, bytes) {
      const capture = boxes.captureOf(bytes);
      s.captures.set(capture.mediaMs, capture.wallMs);
      if (s.captures.size > 600) { s.captures.delete(s.captures.keys().next().value); }
    }

    // ---- Appending: one SourceBuffer operation at a time.

    function appendInit(s, init) {
      const codec = boxes.codecOf(init);
      const type = 'video/mp4; codecs="' + codec + '"';
      if (!s.buffer) {
        const Source = s.source.constructor;
        if (!Source.isTypeSupported(type)) { fallBack(strings.noCodec || "no H.264 decoder"); return; }
        try {
          s.buffer = s.source.addSourceBuffer(type);
        } catch (error) { fallBack(String(error.message || error)); return; }
        s.codec = codec;
        s.buffer.addEventListener("updateend", function () { afterUpdate(s); });
        s.buffer.addEventListener("error", function () { restart(s, strings.decodeError || "decode error"); });
      }
      // A new size comes with a new init segment; only another profile or level needs changeType.
      enqueue(s, { init: init, type: codec !== s.codec ? type : "" });
      s.codec = codec;
    }

    function enqueue(s, item) {
      if (session !== s || !s.buffer) { return; }
      s.queue.push(item);
      pump(s);
    }

    function pump(s) {
      const buffer = s.buffer;
      if (session !== s || !buffer || buffer.updating || !s.queue.length || s.source.readyState !== "open") { return; }
      const item = s.queue.shift();
      try {
        if (item.remove) { buffer.remove(item.remove[0], item.remove[1]); return; }
        if (item.type && buffer.changeType) { buffer.changeType(item.type); }
        buffer.appendBuffer(item.init || item.media);
      } catch (error) {
        restart(s, String(error.message || error));
      }
    }

    function afterUpdate(s) {
      if (session !== s) { return; }
      const ranges = video.buffered;
      if (ranges.length) {
        const last = ranges.length - 1;
        const end = ranges.end(last);
        const now = video.currentTime;
        if (!s.seeked || now < ranges.start(last) || end - now > BEHIND_S) {
          // The first data, a gap (the camera was OFF), or drifting behind: go to the live edge.
          // Seeking, not playbackRate, since Safari handles rate changes badly on live MSE.
          video.currentTime = s.seeked && end - now > BEHIND_S ? Math.max(ranges.start(last), end - 0.1) : ranges.start(last);
          if (s.seeked) { stats.jumps += 1; }
          s.seeked = true;
        }
        if (now - ranges.start(0) > KEEP_S * 2 && !s.queue.some(function (item) { return item.remove; })) {
          s.queue.push({ remove: [0, now - KEEP_S] });
        }
        if (video.paused) { video.play().catch(function () { /* retried on the next fragment */ }); }
      }
      pump(s);
    }

    // ---- Presented frames: the picture is live, and how late it is.

    function watchFrames(s) {
      if (!video.requestVideoFrameCallback) {
        video.addEventListener("playing", function () { if (session === s) { shown(s); } }, { once: true });
        return;
      }
      const onFrame = function (now, meta) {
        if (session !== s) { return; }
        stats.framesPresented += 1;
        const captured = s.captures.get(Math.round(meta.mediaTime * 1000));
        if (captured !== undefined) {
          stats.latencies.push(performance.timeOrigin + meta.presentationTime - captured);
          if (stats.latencies.length > 1000) { stats.latencies.shift(); }
        }
        shown(s);
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    }

    function shown(s) {
      if (s.shown) { return; }
      s.shown = true;
      errorsInRow = 0;
      clearTimeout(s.timer);
      if (stats.firstPictureMs === null) { stats.firstPictureMs = performance.now(); }
      video.hidden = false;
      show("h264", "");
      handOver("h264"); // with overlap, the MJPEG stream stops only now
    }

    video.addEventListener("error", function () {
      if (session) { restart(session, strings.decodeError || "decode error"); }
    });

    // ---- ON/OFF, hidden tab, leaving the page: the same rules as the MJPEG picture.

    new MutationObserver(update).observe(card, { attributes: true, attributeFilter: ["data-enabled"] });
    document.addEventListener("visibilitychange", update);
    window.addEventListener("pagehide", function () { close(); video.hidden = true; });
    window.addEventListener("pageshow", function (event) { if (event.persisted) { update(); } });

    return {
      video: video,
      update: update,
      // A new choice of mode: forget why Auto gave up and start again.
      reset: function () { fallen = ""; errorsInRow = 0; close(); update(); },
      get open() { return session !== null; },
    };
  }

  window.livecamVideo = { attach: attach };
})();
