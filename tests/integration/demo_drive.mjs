// SPDX-License-Identifier: BSD-3-Clause
// demo_drive.mjs URL OUT_PNG: drives the gateway's /demo page in headless
// Chromium (playwright-core, Debian's /usr/bin/chromium) as a person would:
// user and password, "Call echo", watch the round-trip level meter and the
// getStats() table for 5 s, screenshot, "Hang up". Prints a JSON report.
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { chromium } = require(path.join(root, 'node_modules/playwright-core'));
const [url, png, user, password] = process.argv.slice(2);
const report = { level: 0 };
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
    '--autoplay-policy=no-user-gesture-required', '--ignore-certificate-errors'],
});
try {
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  await page.goto(url);
  await page.fill('#user', user);
  await page.fill('#password', password);
  await page.click('#call');
  for (let i = 0; i < 40; i++) {
    report.level = Math.max(report.level, await page.$eval('#level', (m) => m.value));
    await page.waitForTimeout(250);
  }
  report.stats = await page.$$eval('#stats tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.children[0].textContent, r.children[1].textContent])));
  await page.screenshot({ path: png, fullPage: true });
  await page.click('#hangup');
  await page.waitForFunction(() => !document.getElementById('call').disabled, null, { timeout: 5000 });
  report.hungUp = true;
  report.log = await page.textContent('#log');
} catch (e) {
  report.failure = String(e).slice(0, 400);
} finally {
  console.log(JSON.stringify(report));
  await browser.close();
}
