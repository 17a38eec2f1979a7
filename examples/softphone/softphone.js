// SPDX-License-Identifier: BSD-3-Clause
// The softphone: a page on the web application's origin that loads the
// JavaScript API from the gateway (another origin) and uses nothing else.
// ?gw=https://gateway:8443 prefills the gateway's address.
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('gw-url').value = params.get('gw') || localStorage.getItem('rtcgate.gw') || '';

let gw = null;
let call = null;
let timer = null;
let incoming = null;
let endReason = '';

function showError(e) {
  const box = $('error');
  box.textContent = e ? (e.code ? `${e.code}: ${e.message}` : String(e.message || e)) : '';
  box.hidden = !e;
}

function render() {
  const st = call ? call.state : 'idle';
  $('call-state').textContent = st === 'ended' ? `ended (${endReason})` : st;
  $('peer').textContent = call ? call.peer : '';
  const inCall = call && st !== 'ended';
  $('call').disabled = !!inCall;
  $('hangup').disabled = !inCall;
  $('hold').disabled = !(inCall && st === 'active');
  $('resume').disabled = !(inCall && st === 'held');
  $('incoming').hidden = !incoming;
  if (incoming) $('incoming-from').textContent = incoming.peer;
  document.body.dataset.state = st;
}

function tick() {
  if (!call || !call.startedAt || call.state === 'ended') return;
  const s = Math.floor((Date.now() - call.startedAt) / 1000);
  $('timer').textContent = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

function adopt(c) {
  call = c;
  $('remote').srcObject = c.remoteStream;
  $('remote-dtmf').textContent = '';
  $('timer').textContent = '00:00';
  c.on('state', (s) => { if (s !== 'ended') render(); });
  c.on('stats', (s) => { $('level').value = s.audioLevel; });
  c.on('dtmf', (d) => { $('remote-dtmf').textContent += d; });
  c.on('ended', (reason) => {
    clearInterval(timer);
    endReason = reason;
    $('level').value = 0;
    render();
  });
  clearInterval(timer);
  timer = setInterval(tick, 250);
  render();
}

async function signIn(ev) {
  ev.preventDefault();
  showError(null);
  const url = $('gw-url').value.replace(/\/+$/, '');
  let mod;
  try {
    mod = await import(`${url}/js/rtcgate.js`);
  } catch (e) {
    showError(new Error(`cannot load the JavaScript API from ${url}`));
    return;
  }
  gw = new mod.RtcGate({ url });
  gw.on('incoming', (c) => {
    incoming = c;
    c.on('ended', () => { if (incoming === c) incoming = null; render(); });
    render();
  });
  gw.on('signedOut', (why) => { if (why === 'expired') showError(new Error('the session ended')); });
  try {
    const s = await gw.signIn($('user').value, $('password').value);
    localStorage.setItem('rtcgate.gw', url);
    $('status').textContent = `signed in: ${s.user}`;
    $('status').classList.add('on');
    $('signin-form').hidden = true;
    $('phone').hidden = false;
    render();
  } catch (e) {
    showError(e);
  }
}

async function act(fn) {
  showError(null);
  try { await fn(); } catch (e) { showError(e); }
  render();
}

$('signin-form').addEventListener('submit', signIn);
$('call').addEventListener('click', () => act(async () => {
  const to = $('dial').value.trim();
  if (!to) throw new Error('enter a number');
  adopt(await gw.call(to, { audio: true }));
}));
$('hangup').addEventListener('click', () => act(() => call.hangup()));
$('hold').addEventListener('click', () => act(() => call.hold()));
$('resume').addEventListener('click', () => act(() => call.resume()));
$('answer').addEventListener('click', () => act(async () => {
  const c = incoming;
  incoming = null;
  adopt(c);
  await c.answer({ audio: true });
}));
$('decline').addEventListener('click', () => act(async () => {
  const c = incoming;
  incoming = null;
  await c.decline();
}));
$('signout').addEventListener('click', () => act(async () => {
  await gw.signOut();
  $('status').textContent = 'signed out';
  $('status').classList.remove('on');
  $('phone').hidden = true;
  $('signin-form').hidden = false;
}));
for (const k of document.querySelectorAll('.key')) {
  k.addEventListener('click', () => {
    if (call && call.state === 'active') act(() => call.sendDtmf(k.dataset.key));
    else $('dial').value += k.dataset.key;
  });
}
render();
