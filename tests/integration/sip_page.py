#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# sip_page.py PORT RESULTS_DIR: the page the SIP test loads in headless
# Chromium. GET /page?api=BASE&user=U&password=P&tag=T&mode=M
#   mode=out&to=DEST: sign in, place a call to DEST; the answer SDP comes in
#     a progress or answered event; getStats() every 500 ms for &secs= s
#     (default 6), with &hold=1 hold for 1.5 s and resume, RFC 4733 DTMF
#     "123" from the browser (insertDTMF), DTMF "4" through the API (SIP
#     INFO), then hang up unless &wait_end=1 (then wait for the far end's
#     BYE).
#   mode=in: sign in, wait for an incoming call, answer it with the
#     microphone, getStats() for &secs= s, then wait for the far end's BYE.
#   mode=signin: sign in only (the status is the result).
# The outcome (JSON) is POSTed back here and written to RESULTS_DIR/T.
import sys

from page_server import api_page, serve

SCRIPT = r"""
/* Wait for an event satisfying pred; return it (or null after `seconds`). */
let cursor = 0;
async function waitEvent(sid, token, pred, seconds) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const e = out.events.find(pred);
    if (e) return e;
    if (Date.now() >= until) return null;
    const r = await call('GET', `/v1/sessions/${sid}/events?timeout=1&after=${cursor}`, token);
    for (const ev of (r.body && r.body.events) || []) {
      out.events.push(ev);
      cursor = Math.max(cursor, ev.id);
    }
  }
}
async function snapshot(pc) {
  const s = {t: Date.now()};
  (await pc.getStats()).forEach(r => {
    if (r.type === 'transport') s.dtls = r.dtlsState;
    if (r.type === 'outbound-rtp' && r.kind === 'audio') s.sent = r.packetsSent;
    /* The main stream: another SSRC (a phone's recorded RFC 4733 events) may come and go. */
    if (r.type === 'inbound-rtp' && r.kind === 'audio' && !(s.recv > r.packetsReceived))
      s.recv = r.packetsReceived, s.energy = r.totalAudioEnergy, s.codec = r.codecId;
    if (r.type === 'codec') (s.codecs = s.codecs || {})[r.id] = r.mimeType;
  });
  if (s.codec && s.codecs) s.codec = s.codecs[s.codec];
  delete s.codecs;
  return s;
}
async function media(pc, secs) {
  for (let i = 0; i < secs * 2; i++) {
    out.stats.push(await snapshot(pc));
    await new Promise(res => setTimeout(res, 500));
  }
}
(async () => {
  try {
    const secs = +(p.get('secs') || 6);
    let r = await call('POST', '/v1/sessions', null, {user: p.get('user'), password: p.get('password')});
    log('signin ' + r.status);
    out.signin = r.body;
    if (p.get('mode') === 'signin' || r.status !== 201) throw 'done';
    const sid = r.body.session, token = r.body.token;
    const stream = await navigator.mediaDevices.getUserMedia({audio: true});
    let pc, cid;
    if (p.get('mode') === 'out') {
      pc = newPc(stream);
      await pc.setLocalDescription(await pc.createOffer());
      r = await call('POST', `/v1/sessions/${sid}/calls`, token, {to: p.get('to'), sdp: pc.localDescription.sdp});
      log('call ' + r.status + ' sdp=' + (r.body && r.body.sdp === null ? 'null' : 'text'));
      cid = r.body.call;
      const e = await waitEvent(sid, token, ev => ev.call === cid && ev.sdp || ev.type === 'ended', 15);
      out.answer = e && e.sdp;
      if (!e || !e.sdp) throw 'no answer: ' + JSON.stringify(e);
      await pc.setRemoteDescription({type: 'answer', sdp: e.sdp});
      out.answered = !!(await waitEvent(sid, token, ev => ev.type === 'answered', 15));
    } else {
      const e = await waitEvent(sid, token, ev => ev.type === 'incoming', 20);
      if (!e) throw 'no incoming call';
      out.offer = e.sdp;
      out.from = e.from;
      cid = e.call;
      pc = newPc(stream);
      await pc.setRemoteDescription({type: 'offer', sdp: e.sdp});
      await pc.setLocalDescription(await pc.createAnswer());
      r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/answer`, token, {sdp: pc.localDescription.sdp});
      log('answer ' + r.status + ' ' + (r.body && (r.body.state || JSON.stringify(r.body.error))));
    }
    await media(pc, secs);
    if (p.get('mode') === 'out' && p.get('hold')) {
      r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/hold`, token);
      log('hold ' + r.status + ' ' + (r.body && r.body.state));
      await new Promise(res => setTimeout(res, 1500));
      r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/resume`, token);
      log('resume ' + r.status + ' ' + (r.body && r.body.state));
      await new Promise(res => setTimeout(res, 1000));
      out.stats.push(await snapshot(pc));
    }
    if (p.get('mode') === 'out') {
      const dtmf = pc.getSenders()[0].dtmf;
      if (dtmf) { dtmf.insertDTMF('123', 120, 80); out.rfc4733 = true; }
      await new Promise(res => setTimeout(res, 1200));
      r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/dtmf`, token, {digits: '4'});
      log('dtmf ' + r.status);
      await new Promise(res => setTimeout(res, 500));
    }
    if (p.get('mode') === 'out' && !p.get('wait_end')) {
      r = await call('DELETE', `/v1/sessions/${sid}/calls/${cid}`, token);
      log('hangup ' + r.status);
    }
    const end = await waitEvent(sid, token, ev => ev.type === 'ended' && ev.call === cid, 20);
    out.ended = end && end.reason;
    r = await call('GET', `/v1/sessions/${sid}/calls/${cid}`, token);
    log('get-after ' + r.status);
    r = await call('DELETE', `/v1/sessions/${sid}`, token);
    log('signout ' + r.status);
    pc.close();
  } catch (e) {
    if (e !== 'done') out.error = String(e);
  }
  await report();
})();
"""


serve(int(sys.argv[1]), sys.argv[2], api_page(SCRIPT))
