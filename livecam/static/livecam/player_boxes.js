// Top-level ISO-BMFF boxes of stream.mp4 for player.js: splitting the byte stream, the codec
// string of the init segment, and the capture time in each prft.
(function () {
  "use strict";

  const NTP_UNIX_S = 2208988800; // seconds from 1900 (NTP) to 1970 (Unix)
  const TIMESCALE = 90000; // stream.mp4's tfdt and prft media time run at 90 kHz

  function nextBox(bytes, at) {
    if (bytes.length - at < 8) { return null; }
    const view32 = new DataView(bytes.buffer, bytes.byteOffset + at);
    let size = view32.getUint32(0);
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    if (size === 1) {
      if (bytes.length - at < 16) { return null; }
      size = view32.getUint32(8) * 4294967296 + view32.getUint32(12);
    }
    if (size < 8) { throw new Error("broken MP4 box " + type); }
    return bytes.length - at >= size ? { type: type, size: size } : null;
  }

  function joined(rest, chunk) {
    if (!rest.length) { return chunk; }
    const both = new Uint8Array(rest.length + chunk.length);
    both.set(rest);
    both.set(chunk, rest.length);
    return both;
  }

  function concat(parts) {
    return parts.reduce(function (all, part) { return joined(all, part); }, new Uint8Array(0));
  }

  // The codec string is avc1.PPCCLL from the first bytes of the avcC box (the moov is small,
  // and the only place those four letters appear as a box type).
  function codecOf(init) {
    for (let i = 4; i + 8 < init.length; i += 1) {
      if (init[i] === 0x61 && init[i + 1] === 0x76 && init[i + 2] === 0x63 && init[i + 3] === 0x43) {
        const hex = function (value) { return value.toString(16).padStart(2, "0").toUpperCase(); };
        return "avc1." + hex(init[i + 5]) + hex(init[i + 6]) + hex(init[i + 7]);
      }
    }
    return "avc1.42E01E";
  }

  // prft: version, flags, track id, NTP capture time, media time of the picture (90 kHz).
  function captureOf(bytes) {
    const data = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const version = data.getUint8(8);
    const wallMs = (data.getUint32(16) - NTP_UNIX_S) * 1000 + data.getUint32(20) / 4294967.296;
    const ticks = version === 0 ? data.getUint32(24) : data.getUint32(24) * 4294967296 + data.getUint32(28);
    return { mediaMs: Math.round(ticks / TIMESCALE * 1000), wallMs: wallMs };
  }

  window.livecamBoxes = { nextBox: nextBox, joined: joined, concat: concat, codecOf: codecOf, captureOf: captureOf };
})();
