// The two pure halves of the notes textarea binding (views/notes-editor.js), in UTF-16
// units like JS strings and Yjs: what one input event changed (one delete + one insert),
// and where a caret or selection goes when a remote change (a Y.Text delta) lands.

const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

/**
 * The one change that turns `before` into `after`: {index, remove, insert}. `cursor`, the
 * caret in `after` once the input happened, settles ambiguous cases ("aa" -> "aaa": which
 * "a" was typed?) the way the user typed them, so concurrent edits keep their intent.
 * The change never splits a surrogate pair (an emoji is two units).
 */
export function diffText(before, after, cursor = null) {
  const grown = Math.max(0, after.length - before.length);
  let maxPrefix = Math.min(before.length, after.length);
  if (cursor != null) maxPrefix = Math.min(maxPrefix, Math.max(0, cursor - grown));
  let start = 0;
  while (start < maxPrefix && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  const maxSuffix = cursor == null ? Infinity : Math.max(0, after.length - cursor);
  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    after.length - endAfter < maxSuffix &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore--;
    endAfter--;
  }
  if (start > 0 && isHigh(before.charCodeAt(start - 1))) start--;
  if (endBefore < before.length && isLow(before.charCodeAt(endBefore))) {
    endBefore++;
    endAfter++;
  }
  return { index: start, remove: endBefore - start, insert: after.slice(start, endAfter) };
}

/**
 * Where `index` (a caret position in the old text) is after `delta` (Yjs Y.Text delta:
 * [{retain}, {insert}, {delete}]). An insert exactly at `index` goes after it unless
 * `stickRight` (used for the start of a selection, so the selection does not grow).
 */
export function transformIndex(index, delta, stickRight = false) {
  let pos = 0;
  let moved = index;
  for (const op of delta) {
    if (op.retain != null) {
      pos += op.retain;
    } else if (op.insert != null) {
      const length = typeof op.insert === "string" ? op.insert.length : 1;
      if (pos < index || (stickRight && pos === index)) moved += length;
    } else if (op.delete != null) {
      if (index > pos) moved -= Math.min(op.delete, index - pos);
      pos += op.delete;
    }
    if (pos > index && op.retain != null) break; // nothing later moves it
  }
  return moved;
}

/** A selection {start, end} carried through a delta; a caret stays a caret. */
export function transformSelection({ start, end }, delta) {
  if (start === end) {
    const at = transformIndex(start, delta);
    return { start: at, end: at };
  }
  return { start: transformIndex(start, delta, true), end: transformIndex(end, delta) };
}

/** Splits `s` into pieces of at most `size` UTF-16 units, never inside a surrogate pair. */
export function chunks(s, size) {
  const out = [];
  let i = 0;
  while (i < s.length) {
    let j = Math.min(s.length, i + size);
    if (j < s.length && isLow(s.charCodeAt(j))) j--;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

/** The UTF-8 length of a string (the server's notes limit counts bytes). */
export function utf8Length(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHigh(c) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
