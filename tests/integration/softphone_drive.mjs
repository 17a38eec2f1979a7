// SPDX-License-Identifier: BSD-3-Clause
// softphone_drive.mjs OUT_DIR PAGE_URL MODE: drives examples/softphone in
// headless Chromium (playwright-core, Debian's /usr/bin/chromium) the way an
// agent would, writing a screenshot per state to OUT_DIR and a JSON report
// to OUT_DIR/report-MODE.json.
//   MODE full: sign in, call 1000 (a sipp UAS echoing RTP), watch the level
//     meter, hold, resume, send DTMF from the pad, hang up; then write
//     OUT_DIR/ready-incoming, answer the incoming call, wait for its end.
//   MODE blocked: sign in from an origin the gateway does not list; the
//     error the page shows is the report.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { chromium } = require(path.join(root, 'node_modules/playwright-core'));

const [outDir, pageUrl, mode] = process.argv.slice(2);
const report = { mode, steps: [], levels: [] };
const shot = async (page, name) => {
  await page.screenshot({ path: path.join(outDir, `softphone-${name}.png`), fullPage: true });
  report.steps.push(`shot ${name}`);
};
const state = (page) => page.textContent('#call-state');
const waitState = (page, re, ms = 15000) =>
  page.waitForFunction((r) => new RegExp(r).test(document.getElementById('call-state').textContent),
    re.source, { timeout: ms });
async function maxLevel(page, ms) {
  let max = 0;
  for (let t = 0; t < ms; t += 250) {
    max = Math.max(max, await page.$eval('#level', (m) => m.value));
    await page.waitForTimeout(250);
  }
  return max;
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required', '--ignore-certificate-errors'],
});
try {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 480, height: 760 } });
  const page = await ctx.newPage();
  page.on('console', (m) => report.steps.push(`console ${m.type()}: ${m.text()}`.slice(0, 300)));
  await page.goto(pageUrl);
  await shot(page, mode === 'blocked' ? 'blocked-start' : 'signed-out');
  await page.fill('#user', 'alice');
  await page.fill('#password', 'alice-secret');
  await page.click('#signin');
  if (mode === 'blocked') {
    await page.waitForSelector('#error:not([hidden])', { timeout: 15000 });
    report.error = await page.textContent('#error');
    report.phoneHidden = await page.$eval('#phone', (e) => e.hidden);
    await shot(page, 'cors-blocked');
  } else {
    await page.waitForSelector('#phone:not([hidden])', { timeout: 45000 });
    report.status = await page.textContent('#status');
    await shot(page, 'signed-in');

    await page.fill('#dial', '1000');
    await page.click('#call');
    await waitState(page, /^active$/);
    report.outboundLevel = await maxLevel(page, 4000);
    report.timer = await page.textContent('#timer');
    await shot(page, 'in-call');
    await page.click('#hold');
    await waitState(page, /^held$/);
    await shot(page, 'held');
    await page.click('#resume');
    await waitState(page, /^active$/);
    for (const k of ['4', '2']) await page.click(`.key[data-key="${k}"]`);
    await page.waitForTimeout(500);
    report.errorAfterDtmf = await page.$eval('#error', (e) => (e.hidden ? '' : e.textContent));
    await page.click('#hangup');
    await waitState(page, /^ended/);
    report.outboundEnd = await state(page);
    await shot(page, 'hung-up');

    fs.writeFileSync(path.join(outDir, 'ready-incoming'), '');
    await page.waitForSelector('#incoming:not([hidden])', { timeout: 20000 });
    report.incomingFrom = await page.textContent('#incoming-from');
    await shot(page, 'incoming');
    await page.click('#answer');
    await waitState(page, /^active$/);
    report.inboundLevel = await maxLevel(page, 3000);
    await shot(page, 'inbound-call');
    await waitState(page, /^held$/, 10000);
    await shot(page, 'held-by-phone');
    await waitState(page, /^active$/, 10000);
    await waitState(page, /^ended/, 20000);
    report.inboundEnd = await state(page);
    report.remoteDtmf = await page.textContent('#remote-dtmf');
    await shot(page, 'ended-by-phone');
  }
} catch (e) {
  report.failure = String(e).slice(0, 500);
} finally {
  fs.writeFileSync(path.join(outDir, `report-${mode}.json`), JSON.stringify(report, null, 1));
  await browser.close();
}
