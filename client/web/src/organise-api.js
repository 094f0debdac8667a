// The organiser API (issue 15, docs/protocol.md "Organiser API"), from the browser: every
// call carries the organiser key as `Authorization: Bearer`, never in the URL (keys stay
// out of server logs). A reply is {ok: true, status, body} or {ok: false, status, error,
// errorKey}: the catalogue key the page says it with, in the reader's language.

const ERROR_KEYS = {
  0: "organise.err.network",
  400: "organise.err.invalid",
  401: "organise.err.unauthorized",
  403: "organise.err.forbidden",
  404: "organise.err.not_found",
  409: "organise.err.code_taken",
};

/** The catalogue key for a failed call's HTTP status (0: no answer at all). */
export function errorKeyOf(status) {
  if (ERROR_KEYS[status]) return ERROR_KEYS[status];
  return status >= 500 ? "organise.err.server" : "organise.err.failed";
}

/** 401 and 403 end the page: the key is missing, wrong or revoked, and retrying will not help. */
export function isFatal(status) {
  return status === 401 || status === 403;
}

export class OrganiseApi {
  /** fetchFn: window.fetch (a fake in the node tests). */
  constructor(eventId, key, fetchFn = (...args) => globalThis.fetch(...args)) {
    this.base = `/api/events/${encodeURIComponent(eventId)}`;
    this.key = key;
    this.fetch = fetchFn;
  }

  async call(method, path, body) {
    const headers = { accept: "application/json", authorization: `Bearer ${this.key}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
        credentials: "same-origin",
      });
    } catch {
      return { ok: false, status: 0, error: "network", errorKey: errorKeyOf(0) };
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.ok) return { ok: true, status: response.status, body: data };
    return { ok: false, status: response.status, error: data?.error ?? String(response.status), detail: data?.detail ?? null, errorKey: errorKeyOf(response.status) };
  }

  load() {
    return this.call("GET", "/organise");
  }

  createRoom(body) {
    return this.call("POST", "/rooms", body);
  }

  patchRoom(code, body) {
    return this.call("PATCH", `/rooms/${encodeURIComponent(code)}`, body);
  }

  reorder(codes) {
    return this.call("PUT", "/rooms/order", { codes });
  }

  invite(body) {
    return this.call("POST", "/staff", body);
  }

  revoke(kid) {
    return this.call("POST", `/staff/${encodeURIComponent(kid)}/revoke`, {});
  }
}
