// Frames <-> bytes (PROTOCOL.md "Transport"): one msgpack map per binary frame, string
// keys, integers within ±2^53 (read as JS numbers), binary as Uint8Array.

import { Decoder, Encoder } from "@msgpack/msgpack";

// undefined fields are left out rather than sent as nil, so optional fields stay optional.
const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

/** One frame (a plain object) as msgpack bytes. */
export function encodeFrame(frame) {
  return encoder.encode(frame);
}

/** Bytes of one binary frame to a plain object; throws when it is not a msgpack map. */
export function decodeFrame(bytes) {
  const value = decoder.decode(bytes);
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new TypeError("frame is not a msgpack map");
  }
  return value;
}
