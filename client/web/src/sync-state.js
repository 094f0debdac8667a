// What #conn-state shows (USERS.md: HedgeDoc #1992 shows "online" while disconnected;
// users need a visible "saved / not synced" state).
//
//   live          joined, events flowing (commands may be in flight for a moment)
//   reconnecting  not connected, trying again, nothing of ours waiting
//   offline       not connected and either the device is offline, the client has stopped
//                 (bad key, no room), or something of ours is not synced (outbox non-empty)

/** status: connection status (connecting|live|down|stopped); online: navigator.onLine. */
export function syncState({ status, online = true, pending = 0 }) {
  if (status === "live") return "live";
  if (status === "stopped" || online === false || pending > 0) return "offline";
  return "reconnecting";
}
