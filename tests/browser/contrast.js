// Measure the WCAG contrast ratio of visible text against its (first opaque) background.
() => {
  function rgb(text) {
    const m = text.match(/[\d.]+/g).map(Number);
    return m.length > 3 && m[3] === 0 ? null : m;
  }
  function lum(c) {
    const [r, g, b] = c.slice(0, 3).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function background(el) {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c) return c;
    }
    return [255, 255, 255];
  }
  const selectors = ["h1", ".summary", ".camera h2 a", ".badge", ".facts", ".switch-text",
                     ".button", ".footer label", ".username", ".note", ".error"];
  const out = [];
  for (const s of selectors) {
    for (const el of document.querySelectorAll(s)) {
      if (!el.offsetParent || !el.textContent.trim()) continue;
      const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
      out.push([s, el.textContent.trim().slice(0, 20), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]);
    }
  }
  return out;
}
