// SPDX-License-Identifier: BSD-3-Clause
// rtcgate.js - the JavaScript API of the rtcgate WebRTC-to-SIP gateway.
// An ES module with no dependencies: it signs in over the gateway's HTTPS
// API (docs/http-api.md), reads the session's events, and owns one
// RTCPeerConnection per call. Served by the gateway at /js/rtcgate.js.
//
//   import { RtcGate } from 'https://gateway.example:8443/js/rtcgate.js';
//   const gw = new RtcGate({ url: 'https://gateway.example:8443' });
//   await gw.signIn('alice', 'secret');
//   gw.on('incoming', (call) => call.answer({ audio: true }));
//   const call = await gw.call('1001', { audio: true });
//   call.on('state', (s) => console.log(s));
//   call.sendDtmf('12#'); await call.hold(); await call.resume(); await call.hangup();
//   await gw.signOut();

export const VERSION = '0.1.0';

/** An HTTP error from the gateway: status, the server's code and message. */
export class RtcGateError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.name = 'RtcGateError';
    this.status = status;
    this.code = code || (status === 0 ? 'network_error' : `http_${status}`);
  }
}

class Emitter {
  constructor() { this._handlers = new Map(); }
  on(type, fn) {
    if (!this._handlers.has(type)) this._handlers.set(type, new Set());
    this._handlers.get(type).add(fn);
    return this;
  }
  off(type, fn) {
    const set = this._handlers.get(type);
    if (set) set.delete(fn);
    return this;
  }
  once(type, fn) {
    const wrap = (...args) => { this.off(type, wrap); fn(...args); };
    return this.on(type, wrap);
  }
  emit(type, ...args) {
    for (const fn of [...(this._handlers.get(type) || [])]) {
      try { fn(...args); } catch (e) { setTimeout(() => { throw e; }); }
    }
  }
}

const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** One call: its RTCPeerConnection, state and controls. */
export class Call extends Emitter {
  constructor(gw, info) {
    super();
    this.gw = gw;
    this.id = info.call;
    this.direction = info.direction;
    this.peer = info.peer;
    this.state = info.state;
    this.heldBy = null;
    this.remoteStream = typeof MediaStream === 'undefined' ? null : new MediaStream();
    this.localStream = null;
    this.pc = null;
    this.offer = info.offer || null; // inbound: the gateway's offer
    this.startedAt = null;
    this._statsTimer = null;
    this._remoteSet = false;
  }

  _path(suffix = '') { return `/v1/sessions/${this.gw.session}/calls/${this.id}${suffix}`; }

  async _media(opts) {
    this.localStream = opts.stream ||
      await navigator.mediaDevices.getUserMedia({ audio: opts.audio !== false, video: !!opts.video });
    this.pc = new RTCPeerConnection({ iceServers: this.gw.iceServers,
      iceTransportPolicy: this.gw.iceTransportPolicy });
    for (const t of this.localStream.getTracks()) this.pc.addTrack(t, this.localStream);
    this.pc.ontrack = (ev) => {
      this.remoteStream.addTrack(ev.track);
      this.emit('track', ev.track);
    };
    this.pc.onconnectionstatechange = () => this.emit('connection', this.pc.connectionState);
  }

  async _setAnswer(sdp) {
    if (this._remoteSet || !sdp) return;
    this._remoteSet = true;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  _setState(state) {
    if (state === this.state) return;
    this.state = state;
    if (state === 'active' && !this.startedAt) {
      this.startedAt = Date.now();
      this._startStats();
    }
    this.emit('state', state);
  }

  _startStats() {
    const interval = this.gw.statsInterval;
    if (!interval || this._statsTimer) return;
    this._statsTimer = setInterval(() => this.getStats().then((s) => this.emit('stats', s), () => {}),
      interval);
  }

  /** A summary of getStats(): packets, audio level and energy, round-trip time. */
  async getStats() {
    const out = { packetsSent: 0, packetsReceived: 0, audioLevel: 0, totalAudioEnergy: 0,
      roundTripTime: null, dtlsState: null };
    if (!this.pc) return out;
    (await this.pc.getStats()).forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'audio') out.packetsSent = r.packetsSent;
      if (r.type === 'inbound-rtp' && r.kind === 'audio' && r.packetsReceived >= out.packetsReceived) {
        out.packetsReceived = r.packetsReceived;
        out.audioLevel = r.audioLevel || 0;
        out.totalAudioEnergy = r.totalAudioEnergy || 0;
      }
      if (r.type === 'candidate-pair' && r.nominated && r.currentRoundTripTime !== undefined)
        out.roundTripTime = r.currentRoundTripTime;
      if (r.type === 'transport') out.dtlsState = r.dtlsState;
    });
    return out;
  }

  /** Answer an incoming call with the microphone (and camera if asked). */
  async answer(opts = {}) {
    if (this.direction !== 'inbound') throw new RtcGateError(409, 'wrong_state', 'not an incoming call');
    await this._media(opts);
    await this.pc.setRemoteDescription({ type: 'offer', sdp: this.offer });
    this._remoteSet = true;
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    const r = await this.gw._request('POST', this._path('/answer'), { sdp: this.pc.localDescription.sdp });
    this._setState(r.state);
    return this;
  }

  /** Decline an incoming call, or hang up any call. */
  async hangup() {
    if (this.state === 'ended') return;
    try {
      await this.gw._request('DELETE', this._path());
    } catch (e) {
      if (!(e instanceof RtcGateError && e.status === 404)) throw e;
    }
    this._ended('local_hangup');
  }

  decline() { return this.hangup(); }

  async hold() {
    const r = await this.gw._request('POST', this._path('/hold'));
    this.heldBy = 'local';
    this._setState(r.state);
  }

  async resume() {
    const r = await this.gw._request('POST', this._path('/resume'));
    this.heldBy = null;
    this._setState(r.state);
  }

  /**
   * DTMF. By default through the gateway (SIP INFO toward the phone); with
   * {inband: true} as RFC 4733 events in the RTP (RTCDTMFSender).
   */
  async sendDtmf(digits, opts = {}) {
    if (opts.inband) {
      const sender = this.pc && this.pc.getSenders().find((s) => s.dtmf);
      if (!sender) throw new RtcGateError(409, 'no_dtmf_sender', 'no audio sender for RFC 4733 DTMF');
      sender.dtmf.insertDTMF(digits, opts.duration || 100, opts.gap || 70);
      return;
    }
    await this.gw._request('POST', this._path('/dtmf'), { digits });
  }

  /** Mute or unmute the microphone locally (the call stays up). */
  mute(muted = true) {
    if (this.localStream) for (const t of this.localStream.getAudioTracks()) t.enabled = !muted;
  }

  async _event(e) {
    switch (e.type) {
      case 'progress':
        if (e.sdp) await this._setAnswer(e.sdp);
        this._setState(e.state);
        this.emit('progress', e.status);
        break;
      case 'answered':
        if (e.sdp) await this._setAnswer(e.sdp);
        this._setState(e.state);
        break;
      case 'held':
      case 'resumed':
        this.heldBy = e.type === 'held' ? e.by : null;
        this._setState(e.state);
        this.emit(e.type, e.by);
        break;
      case 'dtmf':
        this.emit('dtmf', e.digits);
        break;
      case 'ended':
        this._ended(e.reason);
        break;
      default:
        if (e.state) this._setState(e.state);
    }
  }

  _ended(reason) {
    if (this.state === 'ended') return;
    clearInterval(this._statsTimer);
    if (this.pc) this.pc.close();
    if (this.localStream && this.gw.stopTracksOnEnd) for (const t of this.localStream.getTracks()) t.stop();
    this.gw.calls.delete(this.id);
    this.state = 'ended';
    this.emit('state', 'ended');
    this.emit('ended', reason);
  }
}

/** A signed-in user of the gateway. */
export class RtcGate extends Emitter {
  /**
   * url: the gateway's API base (https://host:port). fetch: for tests.
   * iceServers, iceTransportPolicy: for the RTCPeerConnections.
   * reSignIn (true): sign in again with the same credentials when the
   * session has expired. statsInterval (1000 ms, 0: off): 'stats' events.
   */
  constructor(opts = {}) {
    super();
    if (!opts.url) throw new TypeError('RtcGate: url is required');
    this.url = opts.url.replace(/\/+$/, '');
    this._fetch = opts.fetch || globalThis.fetch.bind(globalThis);
    this.iceServers = opts.iceServers || [];
    this.iceTransportPolicy = opts.iceTransportPolicy || 'all';
    this.reSignIn = opts.reSignIn !== false;
    this.statsInterval = opts.statsInterval === undefined ? 1000 : opts.statsInterval;
    this.pollTimeout = opts.pollTimeout || 25;
    this.backoff = { min: opts.backoffMin || 1000, max: opts.backoffMax || 30000 };
    this.stopTracksOnEnd = opts.stopTracksOnEnd !== false;
    this.session = null;
    this.token = null;
    this.user = null;
    this.calls = new Map();
    this._cursor = 0;
    this._loop = null;
    this._abort = null;
    this._credentials = null;
  }

  async _request(method, path, body, { auth = true, signal } = {}) {
    const headers = {};
    if (auth && this.token) headers.Authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let r;
    try {
      r = await this._fetch(this.url + path, { method, headers, signal, mode: 'cors',
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      // A network failure and a CORS refusal look alike to a page.
      throw new RtcGateError(0, 'network_error',
        `cannot reach ${this.url} (network error, or this origin is not allowed by the gateway's CORS whitelist)`);
    }
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!r.ok) {
      const err = (data && data.error) || {};
      throw new RtcGateError(r.status, err.code, err.message);
    }
    return data;
  }

  /** Sign in (static users, SIP credentials or a token: auth.mode decides). */
  async signIn(user, password) {
    const r = await this._request('POST', '/v1/sessions', { user, password }, { auth: false });
    this.session = r.session;
    this.token = r.token;
    this.user = r.user;
    this.expires = r.expires;
    this._credentials = this.reSignIn ? { user, password } : null;
    this._cursor = 0;
    this._startEvents();
    this.emit('signedIn', { user: r.user, session: r.session, expires: r.expires });
    return { user: r.user, session: r.session, expires: r.expires };
  }

  /** A token minted by the web application's backend (auth.mode token). */
  signInWithToken(tokenUser, tokenPassword) { return this.signIn(tokenUser, tokenPassword); }

  async signOut() {
    const session = this.session;
    this._stopEvents();
    for (const c of [...this.calls.values()]) c._ended('signed_out');
    this._credentials = null;
    if (session) {
      try {
        await this._request('DELETE', `/v1/sessions/${session}`);
      } catch (e) {
        if (!(e instanceof RtcGateError) || (e.status !== 404 && e.status !== 401)) throw e;
      }
    }
    this.session = this.token = null;
    this.emit('signedOut', 'local');
  }

  /** Place a call; resolves once the gateway took it (ringing comes later). */
  async call(to, opts = {}) {
    if (!this.session) throw new RtcGateError(401, 'not_signed_in', 'sign in first');
    const call = new Call(this, { call: null, direction: 'outbound', peer: to, state: 'calling' });
    await call._media(opts);
    await call.pc.setLocalDescription(await call.pc.createOffer());
    let r;
    try {
      r = await this._request('POST', `/v1/sessions/${this.session}/calls`,
        { to, sdp: call.pc.localDescription.sdp });
    } catch (e) {
      call.pc.close();
      if (call.localStream && !opts.stream) for (const t of call.localStream.getTracks()) t.stop();
      throw e;
    }
    call.id = r.call;
    call.state = r.state;
    this.calls.set(call.id, call);
    if (r.sdp) await call._setAnswer(r.sdp); // the echo answers at once; SIP in an event
    for (const e of this._early.splice(0).filter((x) => x.call === call.id)) await call._event(e);
    return call;
  }

  _startEvents() {
    this._stopEvents();
    this._early = [];
    const abort = new AbortController();
    this._abort = abort;
    this._loop = this._eventLoop(abort.signal);
  }

  _stopEvents() {
    if (this._abort) this._abort.abort();
    this._abort = null;
  }

  async _eventLoop(signal) {
    let delay = 0;
    while (!signal.aborted) {
      try {
        const r = await this._request('GET',
          `/v1/sessions/${this.session}/events?timeout=${this.pollTimeout}&after=${this._cursor}`,
          undefined, { signal });
        delay = 0;
        for (const e of r.events || []) {
          this._cursor = Math.max(this._cursor, e.id);
          await this._dispatch(e);
        }
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof RtcGateError && e.status === 401) {
          if (await this._renew()) continue;
          return;
        }
        delay = delay ? Math.min(delay * 2, this.backoff.max) : this.backoff.min;
        this.emit('disconnected', { error: e, retryIn: delay });
        await sleep(delay);
      }
    }
  }

  /** The session is gone (expired, or the gateway restarted): sign in again if we may. */
  async _renew() {
    for (const c of [...this.calls.values()]) c._ended('session_expired');
    const cred = this._credentials;
    this.session = this.token = null;
    if (!cred) {
      this.emit('signedOut', 'expired');
      return false;
    }
    try {
      const r = await this._request('POST', '/v1/sessions', cred, { auth: false });
      this.session = r.session;
      this.token = r.token;
      this._cursor = 0;
      this.emit('signedIn', { user: r.user, session: r.session, expires: r.expires, renewed: true });
      return true;
    } catch (e) {
      this.emit('signedOut', 'expired');
      this.emit('error', e);
      return false;
    }
  }

  async _dispatch(e) {
    if (e.type === 'registration') {
      this.emit('registration', { status: e.status, reason: e.reason });
      return;
    }
    if (e.type === 'incoming') {
      const call = new Call(this, { call: e.call, direction: 'inbound', peer: e.from,
        state: e.state, offer: e.sdp });
      this.calls.set(call.id, call);
      this.emit('incoming', call);
      return;
    }
    const call = this.calls.get(e.call);
    if (call) await call._event(e);
    else if (e.call && this._early.push(e) > 32) this._early.shift(); // before call() has its id
  }
}

export default RtcGate;
