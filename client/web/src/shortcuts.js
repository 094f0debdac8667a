// The moderator console's keyboard shortcuts (issue 13), without the DOM: which key does
// what, and when a key press is someone typing rather than a shortcut.

/** The shortcuts in the order the help dialog lists them; `keys` as shown to people. */
export const SHORTCUTS = [
  { action: "down", keys: ["j", "↓"] },
  { action: "up", keys: ["k", "↑"] },
  { action: "approve", keys: ["a"] },
  { action: "dismiss", keys: ["d"] },
  { action: "pin", keys: ["p"] },
  { action: "next", keys: ["n"] },
  { action: "answered", keys: ["m"] },
  { action: "help", keys: ["?"] },
];

const BY_KEY = {
  j: "down",
  ArrowDown: "down",
  k: "up",
  ArrowUp: "up",
  a: "approve",
  d: "dismiss",
  p: "pin",
  n: "next",
  m: "answered",
  "?": "help",
};

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** True when the key goes to a field or an editable element (never a shortcut there). */
export function isTyping(target) {
  if (!target) return false;
  if (TYPING_TAGS.has(target.tagName)) return true;
  return Boolean(target.isContentEditable);
}

/**
 * The action for a keydown, or null: none with Ctrl, Alt or Meta held (the browser's and
 * the screen reader's own keys), none while composing (IME), none while typing.
 * ev: {key, ctrlKey, altKey, metaKey, isComposing, target}.
 */
export function shortcutFor(ev) {
  if (ev.ctrlKey || ev.altKey || ev.metaKey || ev.isComposing) return null;
  if (isTyping(ev.target)) return null;
  const key = ev.key && ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
  // Shift+a is "A", still approve; "?" is Shift+/ on most layouts and stays "?".
  return Object.prototype.hasOwnProperty.call(BY_KEY, key) ? BY_KEY[key] : null;
}

/** The index after moving `step` from `index` in a list of `length`, kept inside it. */
export function moveIndex(index, step, length) {
  if (length <= 0) return -1;
  if (index < 0) return step > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, index + step));
}
