// Join and resume cost: one connection at a time, so each sample is the server's own cost.
//
// A join without `since` is answered with `ok` and a snapshot: the time from sending the
// join to the snapshot's arrival. A resume (`since = head - gap`, with the epoch) is
// answered with `ok` and either a replay of the missing `ev` frames or a snapshot: the time
// from sending the join to the last replayed frame (or the snapshot).

import { decode, encode, joinFrame, nowMs, openSocket, percentiles } from './common.mjs';

function oneJoin(url, room, extra, expectHead) {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    openSocket(url)
      .then((ws) => {
        const t1 = nowMs();
        const out = { handshake_ms: t1 - t0, frames: 0, bytes: 0, kind: null };
        ws.on('message', (data) => {
          const f = decode(data);
          out.frames += 1;
          out.bytes += data.length;
          if (f.t === 'ok' && f.re === 1) {
            out.head = f.seq;
            out.epoch = f.epoch;
            if (extra.since !== undefined && f.seq === extra.since) out.kind = 'nothing';
          } else if (f.t === 'err' && f.re === 1) {
            reject(new Error(`join refused: ${f.code} ${f.msg}`));
          } else if (f.t === 'snapshot') {
            out.kind = 'snapshot';
          } else if (f.t === 'ev' && f.seq === (out.head ?? expectHead)) {
            out.kind = 'replay';
          }
          if (out.kind !== null) {
            out.join_ms = nowMs() - t1;
            ws.close(1000);
            resolve(out);
          }
        });
        ws.on('close', (code) => reject(new Error(`closed ${code} before the join completed`)));
        ws.send(encode(joinFrame(1, room, 'Joiner', extra)));
      })
      .catch(reject);
  });
}

function summary(samples) {
  const kinds = {};
  for (const s of samples) kinds[s.kind] = (kinds[s.kind] || 0) + 1;
  return {
    kinds,
    join_ms: percentiles(samples.map((s) => s.join_ms)),
    handshake_ms: percentiles(samples.map((s) => s.handshake_ms)),
    frames: samples.length ? samples[0].frames : 0,
    bytes: samples.length ? samples[0].bytes : 0,
  };
}

// `samples` fresh joins (the first one may load the room: reported apart), then
// `samples` resumes for each gap in `gaps`.
export async function joinCost({ url, room, samples, gaps }) {
  const first = await oneJoin(url, room, {});
  const { head, epoch } = first;
  const fresh = [];
  for (let i = 0; i < samples; i++) fresh.push(await oneJoin(url, room, {}));
  const resumes = {};
  for (const gap of gaps) {
    const since = Math.max(0, head - gap);
    const runs = [];
    for (let i = 0; i < samples; i++) runs.push(await oneJoin(url, room, { since, epoch }, head));
    resumes[gap] = summary(runs);
  }
  return {
    head,
    first_join_ms: first.join_ms,
    first_kind: first.kind,
    snapshot: summary(fresh),
    resume: resumes,
  };
}
