// SPDX-License-Identifier: BSD-3-Clause
// The library's HTTP layer and event loop against a scripted fetch (the
// browser side, WebRTC included, is proven in tests/integration/test_softphone.sh).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { RtcGate, RtcGateError } from '../rtcgate.js';

/* A fetch that answers from a script: [{match: 'METHOD /path-prefix', status, body}] in order. */
function scripted(steps) {
  const seen = [];
  const f = async (url, opts) => {
    const path = new URL(url).pathname + new URL(url).search;
    seen.push({ method: opts.method, path, headers: opts.headers, body: opts.body });
    const i = steps.findIndex((s) => `${opts.method} ${path}`.startsWith(s.match));
    if (i < 0) {
      // An unscripted long-poll waits until aborted.
      return new Promise((res, rej) => opts.signal && opts.signal.addEventListener('abort', () => {
        const e = new Error('aborted'); e.name = 'AbortError'; rej(e);
      }));
    }
    const s = steps.splice(i, 1)[0];
    if (s.throws) throw new TypeError('Failed to fetch');
    return { ok: s.status < 400, status: s.status, text: async () => (s.body === undefined ? '' : JSON.stringify(s.body)) };
  };
  f.seen = seen;
  return f;
}

const SIGNIN = { match: 'POST /v1/sessions', status: 201,
  body: { session: 's1', token: 't1', user: 'alice', expires: 99 } };

test('signIn keeps the token and sends it as a Bearer header', async () => {
  const f = scripted([SIGNIN, { match: 'DELETE /v1/sessions/s1', status: 204 }]);
  const gw = new RtcGate({ url: 'https://gw.test:8443/', fetch: f, statsInterval: 0 });
  const r = await gw.signIn('alice', 'pw');
  assert.equal(r.user, 'alice');
  assert.equal(gw.session, 's1');
  assert.deepEqual(JSON.parse(f.seen[0].body), { user: 'alice', password: 'pw' });
  assert.equal(f.seen[0].headers.Authorization, undefined);
  await gw.signOut();
  const del = f.seen.find((x) => x.method === 'DELETE');
  assert.equal(del.headers.Authorization, 'Bearer t1');
  assert.equal(gw.session, null);
});

test('HTTP errors become RtcGateError with the server code', async () => {
  const f = scripted([{ match: 'POST /v1/sessions', status: 401,
    body: { error: { code: 'invalid_credentials', message: 'wrong user name or password' } } }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f });
  await assert.rejects(gw.signIn('alice', 'bad'), (e) => e instanceof RtcGateError &&
    e.status === 401 && e.code === 'invalid_credentials' && /wrong user/.test(e.message));
});

test('a network error (or a CORS refusal) is network_error, status 0', async () => {
  const f = scripted([{ match: 'POST /v1/sessions', throws: true }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f });
  await assert.rejects(gw.signIn('a', 'b'), (e) => e.status === 0 && e.code === 'network_error' &&
    /CORS/.test(e.message));
});

test('an incoming event is an incoming call with the offer', async () => {
  const f = scripted([SIGNIN, { match: 'GET /v1/sessions/s1/events', status: 200,
    body: { events: [{ id: 3, type: 'incoming', call: 'c9', state: 'incoming', from: 'sip:bob@x', sdp: 'v=0\r\n' }] } }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f, statsInterval: 0 });
  const got = new Promise((res) => gw.on('incoming', res));
  await gw.signIn('alice', 'pw');
  const call = await got;
  assert.equal(call.id, 'c9');
  assert.equal(call.direction, 'inbound');
  assert.equal(call.peer, 'sip:bob@x');
  assert.equal(call.offer, 'v=0\r\n');
  // The next poll asks for events after the last one seen.
  await new Promise((res) => setTimeout(res, 10));
  assert.ok(f.seen.some((x) => x.path.includes('after=3')));
  gw._stopEvents();
});

test('a dropped event stream is retried with back-off, reported as disconnected', async () => {
  const f = scripted([SIGNIN, { match: 'GET /v1/sessions/s1/events', throws: true },
    { match: 'GET /v1/sessions/s1/events', throws: true },
    { match: 'GET /v1/sessions/s1/events', status: 200, body: { events: [] } }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f, backoffMin: 5, backoffMax: 40 });
  const delays = [];
  gw.on('disconnected', (d) => delays.push(d.retryIn));
  await gw.signIn('alice', 'pw');
  await new Promise((res) => setTimeout(res, 100));
  assert.deepEqual(delays, [5, 10]);
  gw._stopEvents();
});

test('an expired session is renewed with the same credentials', async () => {
  const f = scripted([SIGNIN,
    { match: 'GET /v1/sessions/s1/events', status: 401, body: { error: { code: 'invalid_token' } } },
    { match: 'POST /v1/sessions', status: 201, body: { session: 's2', token: 't2', user: 'alice', expires: 1 } }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f });
  const renewed = new Promise((res) => gw.on('signedIn', (s) => s.renewed && res(s)));
  await gw.signIn('alice', 'pw');
  const s = await renewed;
  assert.equal(s.session, 's2');
  assert.equal(gw.token, 't2');
  gw._stopEvents();
});

test('without reSignIn an expired session signs out', async () => {
  const f = scripted([SIGNIN,
    { match: 'GET /v1/sessions/s1/events', status: 401, body: { error: { code: 'invalid_token' } } }]);
  const gw = new RtcGate({ url: 'https://gw.test', fetch: f, reSignIn: false });
  const out = new Promise((res) => gw.on('signedOut', res));
  await gw.signIn('alice', 'pw');
  assert.equal(await out, 'expired');
  assert.equal(gw.session, null);
});

test('url is required', () => {
  assert.throws(() => new RtcGate({}), TypeError);
});
