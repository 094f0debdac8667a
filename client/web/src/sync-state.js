// What #conn-state shows (USERS.md: HedgeDoc #1992 shows "online" while disconnected;
// users need a visible "saved / not synced" state).
//
//   connecting    the first connection is being made (nothing failed yet)
//   live          joined, events flowing (commands may be in flight for a moment)
//   reconnecting  not connected, trying again, nothing of ours waiting
//   offline       not connected and either the device is offline, the client has stopped
//                 (bad key, no room), or something of ours is not synced (outbox non-empty)

/**
 * status: connection status (connecting|live|down|stopped); online: navigator.onLine;
 * wasLive: whether this page was ever joined ("Reconnecting…" before the first try is
 * a false alarm, issue 13).
 */
export function syncState({ status, online = true, pending = 0, wasLive = true }) {
  if (status === "live") return "live";
  if (status === "stopped" || online === false || pending > 0) return "offline";
  if (status === "connecting" && !wasLive) return "connecting";
  return "reconnecting";
}
