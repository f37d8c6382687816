// Timeline helpers shared by the bar and the player: the API's moments as Unix seconds, the
// timeline API itself, and moments formatted in the page's time zone and language (the zone
// the server renders every other date of the page in, so the bar and the lists agree).
(function () {
  "use strict";

  const root = document.getElementById("timeline");
  if (!root) { return; }
  const zone = root.dataset.zone || undefined;
  const lang = document.documentElement.lang || undefined;

  function make(options) {
    try { return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: zone }, options)); } catch (error) {
      return new Intl.DateTimeFormat(lang, options); // an unknown zone: the browser's own
    }
  }
  const clock = make({ hour: "2-digit", minute: "2-digit" });
  const clockSeconds = make({ hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const day = make({ month: "short", day: "numeric" });
  const full = make({ year: "numeric", month: "short", day: "numeric", weekday: "short",
    hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" });
  const parts = make({ year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
    minute: "numeric", second: "numeric", hourCycle: "h23" });

  // A moment of the API (Unix seconds, or ISO 8601 text) as Unix seconds; NaN when neither.
  function seconds(value) {
    if (typeof value === "number") { return value; }
    if (typeof value === "string" && value !== "") {
      const number = Number(value);
      return Number.isFinite(number) ? number : Date.parse(value) / 1000;
    }
    return NaN;
  }

  // How far the zone's wall clock is ahead of UTC at a moment, in seconds (for aligning ticks
  // to the zone's whole minutes, hours and midnights).
  function offset(t) {
    const got = {};
    parts.formatToParts(new Date(t * 1000)).forEach(function (part) { got[part.type] = Number(part.value); });
    const wall = Date.UTC(got.year, got.month - 1, got.day, got.hour % 24, got.minute, got.second);
    return Math.round((wall / 1000 - Math.floor(t)) / 60) * 60;
  }

  // Ranges (of segments, events or gaps) from the API as sorted {start, end, url} in seconds.
  function ranges(list) {
    return (Array.isArray(list) ? list : []).map(function (item) {
      const start = seconds(item.start !== undefined ? item.start : item.started_at);
      let end = seconds(item.end !== undefined ? item.end : item.ended_at);
      if (!Number.isFinite(end)) { end = Math.max(start, Date.now() / 1000); } // still open
      return { start: start, end: Math.max(start, end), url: item.url || "" };
    }).filter(function (item) { return Number.isFinite(item.start); })
      .sort(function (a, b) { return a.start - b.start; });
  }

  // GET the timeline of [start, end) (Unix seconds) → {segments, events, gaps}.
  function load(start, end) {
    const url = root.dataset.api + "?start=" + Math.floor(start) + "&end=" + Math.ceil(end);
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("timeline " + response.status); }
        return response.json();
      })
      .then(function (body) {
        return { segments: ranges(body.segments), events: ranges(body.events), gaps: ranges(body.gaps),
          ranges: Array.isArray(body.ranges) ? ranges(body.ranges) : null, recording: body.recording || null };
      });
  }

  function date(t) { return new Date(t * 1000); }
  window.livecamTime = {
    seconds: seconds,
    offset: offset,
    load: load,
    clock: function (t) { return clock.format(date(t)); },
    clockSeconds: function (t) { return clockSeconds.format(date(t)); },
    day: function (t) { return day.format(date(t)); },
    full: function (t) { return full.format(date(t)); },
  };
}());
