#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# echo_page.py PORT RESULTS_DIR: serves the page the echo-call test loads in
# headless Chromium. GET /page?api=BASE&user=U&password=P&tag=T runs the
# whole flow in the browser: sign in, microphone (Chromium's fake device),
# offer, POST .../calls {"to": "echo"}, answer, then getStats() every 500 ms
# for 8 s, DTMF, hold, resume, hang-up, and the events the API delivered.
# With &turn=URL&turnuser=U&turnpass=P the browser may use only a TURN relay;
# with &stay=1 it reports after 2 s of media and keeps the call up; with
# &video=1 the camera (Chromium's fake one) is sent too.
# The outcome (JSON) is POSTed back here and written to RESULTS_DIR/T.
import sys

from page_server import api_page, serve

SCRIPT = r"""
async function events(sid, token, want, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const r = await call('GET', `/v1/sessions/${sid}/events?timeout=2`, token);
    for (const e of (r.body && r.body.events) || []) out.events.push(e);
    if (out.events.some(e => e.type === want)) return true;
  }
  return false;
}
/* The same events as a text/event-stream, read with fetch (EventSource cannot
 * send the Authorization header). */
async function sseRead(sid, token) {
  out.sse = [];
  try {
    const r = await fetch(api + `/v1/sessions/${sid}/events`,
      {headers: {'Authorization': 'Bearer ' + token, 'Accept': 'text/event-stream'}});
    out.sse_type = r.headers.get('Content-Type');
    const reader = r.body.getReader(), dec = new TextDecoder();
    let buf = '';
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buf += dec.decode(value, {stream: true});
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.*)$/m.exec(block);
        if (ev) out.sse.push(ev[1]);
        if (ev && ev[1] === 'ended') return;
      }
    }
  } catch (e) {
    out.sse_error = String(e);
  }
}
async function snapshot(pc) {
  const s = {t: Date.now()};
  (await pc.getStats()).forEach(r => {
    if (r.type === 'transport') s.dtls = r.dtlsState, s.srtp = r.srtpCipher, s.pair = r.selectedCandidatePairId;
    if (r.type === 'outbound-rtp' && r.kind === 'audio') s.sent = r.packetsSent;
    if (r.type === 'inbound-rtp' && r.kind === 'audio') s.recv = r.packetsReceived, s.level = r.audioLevel, s.energy = r.totalAudioEnergy, s.ssrc_in = r.ssrc, s.decoded = r.totalSamplesReceived, s.concealed = r.concealedSamples;
    if (r.type === 'outbound-rtp' && r.kind === 'audio') s.ssrc_out = r.ssrc;
    if (r.type === 'media-source' && r.kind === 'audio') s.mic_energy = r.totalAudioEnergy;
    if (r.type === 'inbound-rtp' && r.kind === 'video') s.video_frames = r.framesDecoded, s.video_recv = r.packetsReceived;
    if (r.type === 'outbound-rtp' && r.kind === 'video') s.video_sent = r.packetsSent;
    /* The pair is the transport's selectedCandidatePairId, not 'nominated and
       succeeded': Chrome marks a pair in-progress while each consent ping is
       outstanding, so a snapshot taken then would find none. */
    if (r.type === 'candidate-pair') (s.pairs = s.pairs || {})[r.id] = r;
    if (r.type === 'remote-candidate') (s.remotes = s.remotes || {})[r.id] = r.address + ':' + r.port;
    if (r.type === 'local-candidate') (s.locals = s.locals || {})[r.id] = r.candidateType;
  });
  const sel = s.pair && s.pairs && s.pairs[s.pair];
  if (sel) {
    s.pair_state = sel.state;
    if (s.remotes) s.remote = s.remotes[sel.remoteCandidateId];
    if (s.locals) s.local_type = s.locals[sel.localCandidateId];
  }
  delete s.pairs;
  delete s.remotes;
  delete s.locals;
  return s;
}
(async () => {
  try {
    let r = await call('POST', '/v1/sessions', null, {user: p.get('user'), password: p.get('password')});
    log('signin ' + r.status);
    const sid = r.body.session, token = r.body.token;
    const sseDone = sseRead(sid, token);
    /* No echo cancellation, noise suppression or gain control: the echoed audio's energy is compared with the microphone's. */
    const stream = await navigator.mediaDevices.getUserMedia({audio: {echoCancellation: false, noiseSuppression: false, autoGainControl: false}, video: !!p.get('video')});
    const cfg = {iceTransportPolicy: p.get('turn') ? 'relay' : 'all'};
    if (p.get('turn'))
      cfg.iceServers = [{urls: p.get('turn'), username: p.get('turnuser'), credential: p.get('turnpass')}];
    const pc = newPc(stream, cfg);
    await pc.setLocalDescription(await pc.createOffer());
    r = await call('POST', `/v1/sessions/${sid}/calls`, token, {to: 'echo', sdp: pc.localDescription.sdp});
    log('call ' + r.status);
    out.answer = r.body.sdp;
    const cid = r.body.call;
    await pc.setRemoteDescription({type: 'answer', sdp: r.body.sdp});
    const t0 = Date.now();
    out.answered = await events(sid, token, 'answered', 10);
    out.answered_ms = Date.now() - t0;
    if (p.get('stay')) {
      /* Report and keep the call up: the test kills the browser. */
      for (let i = 0; i < 4; i++) {
        out.stats.push(await snapshot(pc));
        await new Promise(res => setTimeout(res, 500));
      }
      await fetch('/result?tag=' + encodeURIComponent(p.get('tag')), {method: 'POST', body: JSON.stringify(out)});
      await new Promise(() => {});
    }
    for (let i = 0; i < 16; i++) {
      out.stats.push(await snapshot(pc));
      await new Promise(res => setTimeout(res, 500));
    }
    r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/dtmf`, token, {digits: '12#'});
    log('dtmf ' + r.status);
    out.dtmf_event = await events(sid, token, 'dtmf', 5);
    r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/hold`, token);
    log('hold ' + r.status + ' ' + (r.body && r.body.state));
    r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/dtmf`, token, {digits: '1'});
    log('dtmf-on-hold ' + r.status + ' ' + (r.body && r.body.error && r.body.error.code));
    r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/resume`, token);
    log('resume ' + r.status + ' ' + (r.body && r.body.state));
    r = await call('POST', `/v1/sessions/${sid}/calls/${cid}/answer`, token, {sdp: 'v=0\r\nm=audio 9 RTP/AVP 0\r\n'});
    log('answer-outbound ' + r.status + ' ' + (r.body && r.body.error && r.body.error.code));
    r = await call('GET', `/v1/sessions/${sid}/calls/${cid}`, token);
    log('get ' + r.status + ' ' + (r.body && r.body.state));
    r = await call('DELETE', `/v1/sessions/${sid}/calls/${cid}`, token);
    log('hangup ' + r.status);
    out.ended_event = await events(sid, token, 'ended', 5);
    r = await call('GET', `/v1/sessions/${sid}/calls/${cid}`, token);
    log('get-after ' + r.status);
    await Promise.race([sseDone, new Promise(res => setTimeout(res, 3000))]);
    pc.close();
  } catch (e) {
    out.error = String(e);
  }
  await report();
})();
"""


serve(int(sys.argv[1]), sys.argv[2], api_page(SCRIPT))
