// Building DOM without HTML strings: createElement + textContent only (STYLE.md point 10,
// and the page's CSP). No innerHTML anywhere, so no text from the room can become markup.

import { t } from "./i18n.js";

/**
 * el("button", {className, id, text, i18n, i18nLabel, i18nPlaceholder, attrs, data, on,
 * props}, ...children). `i18n` keys are re-translated when the language changes.
 */
export function el(tag, opts = {}, ...children) {
  const node = document.createElement(tag);
  if (opts.className) node.className = opts.className;
  if (opts.id) node.id = opts.id;
  if (opts.i18n) {
    node.dataset.i18n = opts.i18n;
    node.textContent = t(opts.i18n);
  } else if (opts.text != null) {
    node.textContent = String(opts.text);
  }
  if (opts.i18nLabel) {
    node.dataset.i18nLabel = opts.i18nLabel;
    node.setAttribute("aria-label", t(opts.i18nLabel));
  }
  if (opts.i18nPlaceholder) {
    node.dataset.i18nPlaceholder = opts.i18nPlaceholder;
    node.setAttribute("placeholder", t(opts.i18nPlaceholder));
  }
  for (const [name, value] of Object.entries(opts.attrs || {})) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : String(value));
  }
  Object.assign(node.dataset, opts.data || {});
  Object.assign(node, opts.props || {});
  for (const [type, fn] of Object.entries(opts.on || {})) node.addEventListener(type, fn);
  append(node, children);
  return node;
}

/** Appends nodes and strings (as text), skipping null/false. */
export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Removes every child. */
export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/** Sets textContent only when it changed (keeps screen readers and selection calm). */
export function setText(node, text) {
  const value = String(text ?? "");
  if (node.textContent !== value) node.textContent = value;
}

/** Sets or removes an attribute only when it changed. */
export function setAttr(node, name, value) {
  if (value === null || value === undefined || value === false) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
    return;
  }
  const text = value === true ? "" : String(value);
  if (node.getAttribute(name) !== text) node.setAttribute(name, text);
}

/** Re-orders container's children to match `nodes`, moving only those out of place (a moved
 * node loses focus, so an open editor stays put unless its question really moves). */
export function reorder(container, nodes) {
  let cursor = container.firstChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextSibling;
    else container.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

/** Runs fn at most once per animation frame, however often it is asked for. */
export function coalesce(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    const run = () => {
      queued = false;
      fn();
    };
    // Hidden tabs get no animation frames; a timer keeps them current for when they return.
    if (document.visibilityState === "visible" && globalThis.requestAnimationFrame) requestAnimationFrame(run);
    else setTimeout(run, 50);
  };
}
