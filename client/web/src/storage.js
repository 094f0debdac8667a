// Safe access to localStorage / sessionStorage.
// Storage can throw (private browsing, quota, disabled cookies); the client then keeps
// working with an in-memory map for this page's life instead of failing.

function memoryStorage() {
  const map = new Map();
  return {
    getItem: (k) => (map.has(k) ? map.get(k) : null),
    setItem: (k, v) => void map.set(k, String(v)),
    removeItem: (k) => void map.delete(k),
  };
}

function pick(name) {
  try {
    const s = globalThis[name];
    if (!s) return memoryStorage();
    const probe = "__workshop_probe__";
    s.setItem(probe, "1");
    s.removeItem(probe);
    return s;
  } catch {
    return memoryStorage();
  }
}

/** Wraps a Storage-like object with JSON helpers that never throw. */
export function wrapStorage(raw) {
  return {
    get(key) {
      try {
        return raw.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        raw.setItem(key, value);
        return true;
      } catch {
        return false;
      }
    },
    remove(key) {
      try {
        raw.removeItem(key);
      } catch {
        /* nothing to do */
      }
    },
    getJSON(key, fallback = null) {
      const text = this.get(key);
      if (text == null) return fallback;
      try {
        return JSON.parse(text);
      } catch {
        return fallback;
      }
    },
    setJSON(key, value) {
      return this.set(key, JSON.stringify(value));
    },
  };
}

let localCache = null;
let sessionCache = null;

/** Per-origin storage that outlives the tab (token, profile, language, outbox). */
export function local() {
  if (!localCache) localCache = wrapStorage(pick("localStorage"));
  return localCache;
}

/** Per-tab storage (role keys: they must not outlive the tab). */
export function session() {
  if (!sessionCache) sessionCache = wrapStorage(pick("sessionStorage"));
  return sessionCache;
}

/** In-memory storage with the same interface, for tests. */
export function memory() {
  return wrapStorage(memoryStorage());
}
