// Generated from protocol/codes.py by `python -m protocol.codes_js > client/web/src/codes.js`:
// do not edit (tests/protocol/test_codes.py checks that it is current). What each error code
// and each close code means to a client: retry or not, resume or stop (docs/protocol.md).

/** Error codes of `err` replies -> whether sending the command again may succeed. */
export const RETRYABLE = Object.freeze({
  "bad_frame": false,
  "bad_request": false,
  "unknown_type": false,
  "too_large": false,
  "rate_limited": true,
  "unauthorized": false,
  "forbidden": false,
  "not_found": false,
  "conflict": false,
  "room_closed": false,
  "unavailable": true,
  "internal": true,
});

/** Close codes the server uses -> whether the client reconnects and resumes. */
export const RESUME = Object.freeze({
  1000: false,
  1001: true,
  1002: false,
  1003: false,
  1008: false,
  1009: false,
  1011: true,
  1012: true,
  4008: true,
  4029: true,
});

/** The error codes by name, as in protocol/codes.py. */
export const ErrorCode = Object.freeze({
  BAD_FRAME: "bad_frame",
  BAD_REQUEST: "bad_request",
  UNKNOWN_TYPE: "unknown_type",
  TOO_LARGE: "too_large",
  RATE_LIMITED: "rate_limited",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  CONFLICT: "conflict",
  ROOM_CLOSED: "room_closed",
  UNAVAILABLE: "unavailable",
  INTERNAL: "internal",
});

/** The close codes by name, as in protocol/codes.py. */
export const CloseCode = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  POLICY: 1008,
  TOO_LARGE: 1009,
  SERVER_ERROR: 1011,
  RESTARTING: 1012,
  TOO_SLOW: 4008,
  FLOODING: 4029,
});

const own = (table, key) => Object.prototype.hasOwnProperty.call(table, key);

/** True when the same command may succeed if sent again later. Unknown codes: false. */
export function isRetryable(code) {
  return own(RETRYABLE, code) && RETRYABLE[code];
}

/**
 * True when the client should reconnect and resume after close `code`. A code the registry
 * does not name (1005: no code, 1006: connection lost, a proxy's own) resumes too.
 */
export function shouldResume(code) {
  return own(RESUME, code) ? RESUME[code] : true;
}
