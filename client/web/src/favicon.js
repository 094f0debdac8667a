// The staff tab's icon with the number of questions waiting for review (issue 13): an SVG
// drawn as a data: URL (the CSP's img-src allows data:), so no image file and no canvas.

const PLAIN = "data:,";

/** What the badge says: "", "1".."99", "99+". */
export function badgeText(n) {
  const count = Math.max(0, Math.floor(Number(n) || 0));
  if (!count) return "";
  return count > 99 ? "99+" : String(count);
}

/** The icon for n pending questions: a speech bubble, with a red count when n > 0. */
export function faviconUrl(n) {
  const text = badgeText(n);
  if (!text) return PLAIN;
  const size = text.length > 2 ? 22 : text.length > 1 ? 28 : 36;
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">' +
    '<rect x="2" y="6" width="48" height="36" rx="8" fill="#0a5ea8"/>' +
    '<path d="M12 42 L12 54 L26 42 Z" fill="#0a5ea8"/>' +
    '<circle cx="44" cy="22" r="20" fill="#b42318" stroke="#ffffff" stroke-width="3"/>' +
    `<text x="44" y="22" dy="0.36em" text-anchor="middle" font-family="sans-serif" font-weight="700" font-size="${size}" fill="#ffffff">${text}</text>` +
    "</svg>";
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}
