// Reconnect delays (PROTOCOL.md: "jittered backoff (0.5 s doubling to 20 s)").
// Jitter spreads a room's reconnecting clients after a server restart, so they do not
// all knock at once.

export const BACKOFF_FIRST_MS = 500;
export const BACKOFF_MAX_MS = 20_000;

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry).
 * The cap doubles from 0.5 s up to 20 s; the delay is drawn from [cap/2, cap].
 */
export function backoffDelay(attempt, random = Math.random) {
  const n = Math.max(0, Math.min(attempt, 16));
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** n);
  return Math.round(cap / 2 + (cap / 2) * random());
}
