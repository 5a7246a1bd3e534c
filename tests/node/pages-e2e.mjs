// Tessera's pages in a real browser: headless Chromium driven by playwright-core walks the
// flows a person goes through (register, confirm, consent, upstream sign-in and connect,
// password reset, helpdesk hand-off, self-service, RP-initiated logout) and checks every
// distinct page it meets:
//
//   - axe-core (WCAG 2.0/2.1 A and AA rules) in light mode, dark mode (prefers-color-scheme)
//     and at phone width (375×812): a violation of impact "serious" or "critical" is a failure
//     (each is printed with its rule, help, and the failing nodes' selectors and HTML);
//   - a full-page screenshot of each mode: <page>-<light|dark|phone>.png;
//   - no console error, uncaught exception, dialog or failed request, and no HTTP status
//     >= 400 (excepted, for their main document only: the error pages visited on purpose,
//     /authorize with an unknown app and /no-such-page, and the refused login of a deleted
//     account);
//   - on the login page: Tab from the top of the page reaches the username field, password,
//     submit, passkey and provider buttons in that order, each with a visible focus indicator;
//   - <html lang> is the language asked for: "en" everywhere by default, "de" for /login with
//     Accept-Language: de-DE, and after choosing Deutsch in the footer's language picker.
//
// tests/pages_browser.rs starts Tessera (issuer http://localhost:PORT, so passkeys are offered),
// the sandbox providers and an app (its callback redeems the code at /token), then runs
//
//   node pages-e2e.mjs '<JSON>'
//
// with the JSON object described at `const input` below. Environment: TESSERA_CHROMIUM (the
// browser, default /usr/bin/chromium); TESSERA_E2E_SCREENSHOTS (the folder for the
// screenshots; default: a new temporary folder, named in the log).
//
// Steps that need pages still being built (the sessions list with "sign out everywhere else",
// "Download my data", "Delete my account") run when the account page has them, and are logged
// as skipped otherwise. Page problems (axe, console, requests, keyboard, language) are
// collected and the run goes on, so one run lists them all; a broken flow stops the run at
// once. Every wait is bounded (15 s an action, 90 s a step, 240 s the whole run). On success one
// JSON line goes to stdout (what the Rust test checks further); progress, one line per step,
// goes to stderr; on failure the exit status is 1 and stderr ends with every problem found.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ACTION_TIMEOUT_MS = 15_000;
const STEP_TIMEOUT_MS = 90_000;
const WHOLE_RUN_MS = 240_000;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 812 };
const MODES = ['light', 'dark', 'phone'];

if (process.argv.length !== 3) {
  process.stderr.write("usage: node pages-e2e.mjs '<JSON input>' (see tests/pages_browser.rs)\n");
  process.exit(2);
}
// {
//   base: "http://localhost:PORT",  outbox: "/tmp/…/outbox" (the server's mail folder),
//   person: { username, email, password, new_password (for the reset), first_name,
//             last_name, new_first_name, new_last_name (for the profile change) },
//   app: { name, authorize: "<full /authorize URL>", callback: "<redirect_uri>",
//          post_logout: "<post_logout_redirect_uri>", client_id },
//   helpdesk: { start: "/remote-auth/<id>?return_to=…", origin: "https://…" },
//   bad_authorize: "/authorize?… (an unknown client: the error page)",
//   staff: { login, password },  doomed: { login, password } (for "Delete my account"),
//   upstreams: { sign_in: ["twitter", "alice"], connect: ["facebook", "carol"] }
// }
const input = JSON.parse(process.argv[2]);
const BASE = input.base.replace(/\/$/, '');
const origin = new URL(BASE).origin;
const executablePath = process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';
const screenshots = process.env.TESSERA_E2E_SCREENSHOTS || mkdtempSync(join(tmpdir(), 'tessera-pages-'));
mkdirSync(screenshots, { recursive: true });
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Single-use tokens (mailed links' last segment, codes) stay out of the output.
const redact = (text) =>
  String(text)
    .replace(/(\/(?:email\/confirm|password\/reset|email\/undo)\/)[\w-]{16,}/g, '$1…')
    .replace(/([?&](?:code|jwt)=)[^&\s)]+/g, '$1…');
const log = (text) => process.stderr.write(`pages-e2e: ${redact(text)}\n`);

const watchdog = setTimeout(() => {
  log(`FAILED: the run took longer than ${WHOLE_RUN_MS / 1000} s (at step "${currentStep}")`);
  printFindings();
  process.exit(1);
}, WHOLE_RUN_MS);

// ---- Findings: what the pages did wrong (collected; the run goes on) ----

const findings = [];
const seenFindings = new Set();
function finding(kind, text) {
  const key = `${kind}\n${text}`;
  if (seenFindings.has(key)) return;
  seenFindings.add(key);
  findings.push({ kind, step: currentStep, text });
  log(`  PROBLEM [${kind}] ${text.split('\n')[0]}`);
}

function printFindings() {
  if (!findings.length) return;
  log('');
  log(`${findings.length} problem(s) found:`);
  findings.forEach((f, i) => {
    log(`${i + 1}. [${f.kind}] (step "${f.step}") ${f.text}`);
  });
}

// ---- Steps ----

let currentStep = 'launch';
let stepNumber = 0;

async function step(name, body) {
  currentStep = name;
  stepNumber += 1;
  log(`step ${stepNumber}: ${name}`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step timed out after ${STEP_TIMEOUT_MS / 1000} s`)), STEP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([body(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const note = (text) => log(`  ${text}`);

// ---- Pages: every page gets the same watchers ----

// The browser asks for /favicon.ico on its own (Tessera and the sandbox have none).
const favicon = (url) => {
  try {
    return new URL(url).pathname === '/favicon.ico';
  } catch {
    return false;
  }
};
// Main documents allowed an HTTP error status: the error page visited on purpose.
const allowedErrorDocuments = new Set();
// Documents that end as downloads ("Download my data"): the browser aborts their navigation.
let downloadsExpected = false;
// The helpdesk's host is not reachable: its requests are answered here and kept.
const helpdeskRequests = [];
// While set, /static/autosubmit.js is answered with an empty script, so that the helpdesk
// hand-off page stays long enough to be checked.
let holdAutosubmit = false;

const contexts = [];
const pages = [];

async function newPage(browser, label, options = {}) {
  const context = await browser.newContext({
    viewport: DESKTOP,
    colorScheme: 'light',
    reducedMotion: 'reduce', // no transition is caught half-way by a colour-contrast check
    acceptDownloads: true,
    ...options,
  });
  contexts.push(context);
  const page = await context.newPage();
  pages.push({ label, page });
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  const where = () => `${label} at ${page.url()}`;

  const seenConsole = new Set();
  page.on('console', (message) => {
    const at = message.location();
    const text = message.text();
    if (favicon(at.url)) return;
    if (message.type() === 'error') {
      // The status of an allowed error document is reported as a console error too.
      if (allowedErrorDocuments.has(at.url) && /Failed to load resource/.test(text)) return;
      finding('console', `console error (${where()}): ${text} (at ${at.url}:${at.lineNumber})`);
    } else if (message.type() !== 'verbose' && !seenConsole.has(text)) {
      seenConsole.add(text);
      note(`(console.${message.type()} ${where()}: ${text})`);
    }
  });
  page.on('pageerror', (error) => finding('console', `uncaught exception (${where()}): ${error.stack || error}`));
  page.on('dialog', (dialog) => {
    finding('console', `unexpected ${dialog.type()} dialog (${where()}): ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('requestfailed', (request) => {
    if (favicon(request.url())) return;
    const error = request.failure()?.errorText;
    const what = `${request.method()} ${request.url()} (${request.resourceType()}): ${error} (${where()})`;
    // A fetch cut off by a navigation (the login page starts its passkey autofill on load) is
    // the browser's way; a cut-off document is a failure, unless it became a download.
    if (error === 'net::ERR_ABORTED' && (request.resourceType() !== 'document' || downloadsExpected)) {
      note(`(cut off: ${what})`);
      return;
    }
    finding('request', `request failed: ${what}`);
  });
  page.on('response', (response) => {
    const url = response.url();
    if (favicon(url) || response.status() < 400) return;
    const request = response.request();
    const type = request.resourceType();
    if (type === 'document' && allowedErrorDocuments.has(url)) return;
    const what = `HTTP ${response.status()} for ${request.method()} ${url} (${type}, ${where()})`;
    if (type !== 'document') {
      finding('request', what);
      return;
    }
    // A page: what it says helps (the server's error page names no cause, its log does).
    response
      .text()
      .catch(() => '')
      .then((body) => {
        const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
        finding('request', `${what}: ${text}`);
      });
  });

  // DevTools' Fetch domain answers the helpdesk host and, on demand, holds autosubmit.js.
  // (page.route() misses a redirect's next hop, a documented Playwright limit.)
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', ({ requestId, request, resourceType }) => {
    const answer = async () => {
      if (favicon(request.url)) {
        // The browser's own ask, often after the page has moved on: answered, never checked.
        await cdp.send('Fetch.fulfillRequest', { requestId, responseCode: 404, body: '' }).catch(() => {});
      } else if (request.url.startsWith(`${input.helpdesk.origin}/`)) {
        let body = request.postData ?? '';
        if (!body && request.postDataEntries) {
          body = request.postDataEntries.map((e) => Buffer.from(e.bytes ?? '', 'base64').toString('utf8')).join('');
        }
        helpdeskRequests.push({ url: request.url, method: request.method, body, type: resourceType });
        await cdp.send('Fetch.fulfillRequest', {
          requestId,
          responseCode: 200,
          responseHeaders: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }],
          body: Buffer.from('<!doctype html><html lang="en"><title>Helpdesk</title><p>The helpdesk.</p></html>').toString('base64'),
        });
      } else if (holdAutosubmit && new URL(request.url).pathname === '/static/autosubmit.js') {
        await cdp.send('Fetch.fulfillRequest', {
          requestId,
          responseCode: 200,
          responseHeaders: [
            { name: 'Content-Type', value: 'text/javascript' },
            { name: 'Cache-Control', value: 'no-store' },
          ],
          body: Buffer.from('// held by pages-e2e.mjs while the page is checked\n').toString('base64'),
        });
      } else {
        await cdp.send('Fetch.continueRequest', { requestId });
      }
    };
    answer().catch((e) => finding('request', `could not answer ${request.url}: ${e.message}`));
  });
  await cdp.send('Fetch.enable', {
    patterns: [
      { urlPattern: `${input.helpdesk.origin}/*`, requestStage: 'Request' },
      { urlPattern: `${origin}/static/autosubmit.js*`, requestStage: 'Request' },
    ],
  });
  return page;
}

// ---- Checks of one page ----

const audited = new Set();

// Light and dark are prefers-color-scheme; phone is a 375×812 viewport. They are applied to the
// page as it is: most pages here are one-time (a POST's answer, a single-use link) and cannot
// be opened again in another context, so the phone mode is not a context with `isMobile`
// (which cannot be switched on a live page; DevTools' mobile metrics fight Playwright's own).
// The stylesheet's layout depends on the width only (no pointer or hover queries).
async function applyMode(page, mode) {
  await page.emulateMedia({ colorScheme: mode === 'dark' ? 'dark' : 'light' });
  await page.setViewportSize(mode === 'phone' ? PHONE : DESKTOP);
  // Two frames for style and layout to follow.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Evaluated through DevTools, which the page's Content-Security-Policy (no inline script)
    // does not govern; the policy stays on, so the pages' own CSP violations still show.
    await page.evaluate(AXE_SOURCE);
  }
  const { violations, passed, version } = await page.evaluate(async (tags) => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return {
      version: window.axe.version,
      passed: result.passes.length,
      violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary })),
      })),
    };
  }, AXE_TAGS);
  if (!axeAnnounced) {
    axeAnnounced = true;
    note(`axe-core ${version} (${AXE_TAGS.join(', ')}): ${passed} rules passed on the first page`);
  }
  if (passed === 0) throw new Error(`axe-core passed no rule on ${page.url()}: did it run?`);
  return violations;
}
let axeAnnounced = false;

function describeViolation(v) {
  const nodes = v.nodes
    .slice(0, 8)
    .map((n) => `\n      - ${n.target}\n        ${n.html.replace(/\s+/g, ' ').slice(0, 300)}\n        ${(n.summary || '').replace(/\s+/g, ' ').slice(0, 400)}`)
    .join('');
  const more = v.nodes.length > 8 ? `\n      … and ${v.nodes.length - 8} more` : '';
  return `${v.id} (${v.impact}): ${v.help} <${v.helpUrl}>${nodes}${more}`;
}

// axe, screenshots and the language of one page, in each mode (checked once per page name).
async function audit(page, name, { lang = 'en' } = {}) {
  if (audited.has(name)) return;
  audited.add(name);
  await page.waitForLoadState('load');
  await page.mouse.move(0, 0); // no button left in its :hover look by the last click
  const url = page.url();
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  if (htmlLang !== lang) {
    finding('lang', `page ${name} (${url}): <html lang="${htmlLang}">, expected "${lang}"`);
  }
  const counts = [];
  for (const mode of MODES) {
    await applyMode(page, mode);
    const violations = await runAxe(page);
    const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact));
    for (const v of failing) finding('axe', `page ${name} [${mode}] (${url}): ${describeViolation(v)}`);
    for (const v of violations.filter((x) => !FAILING_IMPACTS.has(x.impact))) {
      note(`(axe ${v.impact} on ${name} [${mode}], not failing: ${v.id}: ${v.help}: ${v.nodes.map((n) => n.target).join(', ')})`);
    }
    counts.push(`${mode} ${failing.length}`);
    try {
      await page.screenshot({ path: join(screenshots, `${name}-${mode}.png`), fullPage: true, timeout: ACTION_TIMEOUT_MS });
    } catch (e) {
      note(`(no screenshot ${name}-${mode}: ${e.message.split('\n')[0]})`);
    }
  }
  await applyMode(page, 'light');
  note(`page "${name}" ${new URL(url).pathname}: serious/critical axe violations: ${counts.join(', ')}`);
}

// ---- Navigation helpers ----

async function waitForUrl(page, what, predicate) {
  try {
    await page.waitForURL((url) => predicate(url), { timeout: ACTION_TIMEOUT_MS, waitUntil: 'load' });
  } catch (e) {
    const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 600);
    throw new Error(`waiting for ${what}: the page stayed at ${page.url()} (${e.message.split('\n')[0]}):\n${text}`);
  }
}

// Opens `url`; an HTTP error status of the page (not allowed on purpose) stops the run here.
async function visit(page, url, options = {}) {
  const response = await page.goto(url, options);
  if (response && response.status() >= 400 && !allowedErrorDocuments.has(response.url())) {
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 400);
    throw new Error(`GET ${url} answered HTTP ${response.status()}: ${text}`);
  }
  return response;
}

// Clicks `locator` and waits for the next document to load.
async function clickAndLoad(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  if (response && response.status() >= 400 && !allowedErrorDocuments.has(response.url())) {
    const text = (await page.locator('body').innerText().catch(() => '')).replace(/\s+/g, ' ').slice(0, 400);
    const request = response.request();
    throw new Error(`${request.method()} ${response.url()} answered HTTP ${response.status()}: ${text}`);
  }
  return response;
}

const path = (page) => new URL(page.url()).pathname;
const atTessera = (url, pathname) => url.origin === origin && url.pathname === pathname;

async function errorsOnPage(page) {
  const banners = page.locator('.banner-error:visible, [role="alert"]:visible');
  const texts = await banners.allInnerTexts().catch(() => []);
  return texts.map((t) => t.trim()).filter(Boolean).join(' | ');
}

async function logIn(page, login, password) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await clickAndLoad(page, page.locator('form[action="/login"] button[type="submit"]'));
  if (path(page) === '/login') {
    throw new Error(`the login form refused ${login}: ${await errorsOnPage(page)}`);
  }
}

// ---- Mail: the server writes each mail as an .eml file to the outbox folder ----

function mails() {
  let names;
  try {
    names = readdirSync(input.outbox).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .map((n) => join(input.outbox, n))
    .map((p) => ({ p, t: statSync(p).mtimeMs }))
    .sort((a, b) => a.t - b.t)
    .map(({ p }) => readFileSync(p, 'utf8'));
}

// The first link to BASE+prefix in the newest mail to `to` that has one (waits up to 10 s).
async function linkInMail(to, prefix) {
  const needle = `${BASE}${prefix}`;
  for (let i = 0; i < 100; i += 1) {
    for (const mail of mails().reverse()) {
      if (!mail.split(/\r?\n/).some((l) => /^To:/i.test(l) && l.toLowerCase().includes(to.toLowerCase()))) continue;
      const unfolded = mail.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const start = unfolded.indexOf(needle);
      if (start >= 0) return unfolded.slice(start).split(/[\s"<]/)[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} links to ${needle} (outbox ${input.outbox})`);
}

// ---- An authenticator app (RFC 6238), for the second factor ----

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totpCode(otpauth, when = Date.now()) {
  const params = new URL(otpauth).searchParams;
  const period = Number(params.get('period') || 30);
  const digits = Number(params.get('digits') || 6);
  const algorithm = (params.get('algorithm') || 'SHA1').toLowerCase();
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / period)));
  const mac = createHmac(algorithm, base32Decode(params.get('secret'))).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const value = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(value % 10 ** digits).padStart(digits, '0');
}

// ---- Keyboard: the login page in Tab order ----

async function keyboardCheck(page) {
  const expected = await page.evaluate(() => {
    const wanted = [
      document.querySelector('#login'),
      document.querySelector('#password'),
      document.querySelector('form[action="/login"] button[type="submit"]'),
      document.querySelector('#passkey-sign-in'),
      ...document.querySelectorAll('ul.providers a, ul.providers button'),
    ].filter(Boolean);
    wanted.forEach((e, i) => e.setAttribute('data-e2e-tab', String(i)));
    return wanted.map((e) => (e.id ? `#${e.id}` : `${e.tagName.toLowerCase()} "${e.innerText.trim()}"`));
  });
  // "From the top": a focusable-by-script marker before everything, so the first Tab goes to
  // the page's first stop (the username field has autofocus, which would skip the header).
  await page.evaluate(() => {
    const top = document.createElement('span');
    top.id = 'e2e-top';
    top.tabIndex = -1;
    document.body.prepend(top);
    top.focus();
  });
  const stops = [];
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      const r = e.getBoundingClientRect();
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      const shadow = s.boxShadow && s.boxShadow !== 'none';
      return {
        index: e.hasAttribute('data-e2e-tab') ? Number(e.getAttribute('data-e2e-tab')) : null,
        name: e.id
          ? `#${e.id}`
          : `${e.tagName.toLowerCase()}${e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : ''} "${(e.innerText || e.value || '').trim().slice(0, 30)}"`,
        indicator: outline || shadow ? `outline ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; box-shadow ${s.boxShadow}` : null,
        onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
        html: e.outerHTML.slice(0, 200),
      };
    });
    if (!stop) break;
    stops.push(stop);
    if (stop.index === expected.length - 1) break;
  }
  await page.evaluate(() => document.getElementById('e2e-top')?.remove());
  note(`Tab order: ${stops.map((s) => s.name).join(' → ')}`);
  for (const s of stops) {
    if (!s.indicator) finding('keyboard', `login page: ${s.name} has no visible focus indicator when focused by Tab (outline and box-shadow none): ${s.html}`);
    if (!s.onScreen) finding('keyboard', `login page: ${s.name} is focused by Tab but not on screen: ${s.html}`);
  }
  const first = stops.findIndex((s) => s.index === 0);
  if (first < 0) {
    finding('keyboard', `login page: Tab from the top never reached the username field in ${stops.length} presses: ${stops.map((s) => s.name).join(' → ')}`);
    return;
  }
  const got = stops.slice(first, first + expected.length).map((s) => s.index);
  if (got.join() !== expected.map((_, i) => i).join()) {
    finding(
      'keyboard',
      `login page: after the username field, Tab should reach ${expected.join(' → ')}; it reached ${stops
        .slice(first, first + expected.length)
        .map((s) => s.name)
        .join(' → ')}`,
    );
  } else {
    note(`keyboard: ${expected.join(' → ')} in order, each with a focus indicator`);
  }
}

// ---- The run ----

let browser;
const result = { self_service: {} };

async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: ACTION_TIMEOUT_MS,
    // localhost must be this machine's IPv4 loopback, where the test server listens.
    args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  log(`browser: ${executablePath} ${browser.version()}; screenshots in ${screenshots}`);
  const person = input.person;
  const main = await newPage(browser, 'main browser');

  await step('login page: checks and keyboard order', async () => {
    await visit(main, `${BASE}/login`);
    await audit(main, 'login');
    await keyboardCheck(main);
  });

  await step('login page in German (Accept-Language: de)', async () => {
    const de = await newPage(browser, 'German browser', { locale: 'de-DE' });
    await visit(de, `${BASE}/login`);
    const lang = await de.evaluate(() => document.documentElement.lang);
    note(`<html lang="${lang}">, heading "${(await de.locator('h1').innerText()).trim()}"`);
    if (lang !== 'de') finding('lang', `/login with Accept-Language: de-DE has <html lang="${lang}">, expected "de"`);
    await audit(de, 'login-de', { lang: 'de' });
  });

  await step('error page: /authorize for an unknown app', async () => {
    const url = `${BASE}${input.bad_authorize}`;
    allowedErrorDocuments.add(url);
    const response = await main.goto(url);
    note(`HTTP ${response.status()}: "${(await main.locator('h1').innerText().catch(() => '?')).trim()}"`);
    if (response.status() < 400) throw new Error(`/authorize for an unknown app answered ${response.status()}, not an error`);
    await audit(main, 'error');
  });

  await step('error page: an address that does not exist', async () => {
    const url = `${BASE}/no-such-page`;
    allowedErrorDocuments.add(url);
    const response = await main.goto(url);
    note(`HTTP ${response.status()} ${response.headers()['content-type'] || ''}`);
    if (response.status() !== 404) throw new Error(`${url} answered ${response.status()}, not 404`);
    if ((response.headers()['content-type'] || '').startsWith('text/html')) await audit(main, 'not-found');
  });

  await step('language picker: English to Deutsch', async () => {
    await visit(main, `${BASE}/login`);
    const picker = main.locator('form[action="/language"]');
    if (!(await picker.count())) {
      note('SKIPPED: no language picker on the login page');
      return;
    }
    await picker.locator('select').selectOption('de');
    await clickAndLoad(main, picker.locator('button[type="submit"]'));
    const lang = await main.evaluate(() => document.documentElement.lang);
    note(`after choosing Deutsch: ${new URL(main.url()).pathname}, <html lang="${lang}">`);
    if (lang !== 'de') finding('lang', `the language picker chose Deutsch, but the page has <html lang="${lang}">`);
    await picker.locator('select').selectOption('en');
    await clickAndLoad(main, picker.locator('button[type="submit"]'));
    const back = await main.evaluate(() => document.documentElement.lang);
    if (back !== 'en') throw new Error(`choosing English again left <html lang="${back}">`);
  });

  await step('register', async () => {
    await visit(main, `${BASE}/register`);
    await audit(main, 'register');
    await main.locator('#username').fill(person.username);
    await main.locator('#email').fill(person.email);
    await main.locator('#first_name').fill(person.first_name);
    await main.locator('#last_name').fill(person.last_name);
    await main.locator('#password').fill(person.password);
    await main.locator('#password2').fill(person.password);
    await clickAndLoad(main, main.locator('form[action="/register"] button[type="submit"]'));
    const errors = await errorsOnPage(main);
    if (errors || (await main.locator('form[action="/register"]').count())) {
      throw new Error(`registration refused at ${main.url()}: ${errors}`);
    }
    note(`"${(await main.locator('h1').innerText()).trim()}"`);
    await audit(main, 'register-sent');
  });

  await step('confirm the address (link from the outbox)', async () => {
    const link = await linkInMail(person.email, '/email/confirm/');
    await visit(main, link);
    const title = (await main.locator('h1').innerText()).trim();
    note(`"${title}": ${(await main.locator('main [role="status"], main [role="alert"]').first().innerText()).trim()}`);
    if (await main.locator('.banner-error').count()) throw new Error(`the confirmation link failed: ${await errorsOnPage(main)}`);
    await audit(main, 'email-confirmed');
  });

  await step('sign in to the app: login, consent, back at the app', async () => {
    await visit(main, input.app.authorize);
    await waitForUrl(main, 'the login page', (u) => atTessera(u, '/login'));
    if (!(await main.locator('input[name="next"]').count())) throw new Error('the login page for the app has no next field');
    await logIn(main, person.username, person.password);
    await waitForUrl(main, 'the consent page', (u) => atTessera(u, '/consent'));
    note(`consent: "${(await main.locator('h1').innerText()).trim()}"; scopes ${(await main.locator('ul.scopes li').allInnerTexts()).join(', ')}`);
    await audit(main, 'consent');
    await clickAndLoad(main, main.locator('form[action="/consent"] button[value="allow"]'));
    await waitForUrl(main, "the app's callback", (u) => u.href.startsWith(input.app.callback));
    const outcome = (await main.locator('#outcome').innerText().catch(() => '')).trim();
    note(`the app says: ${outcome}`);
    if (outcome !== 'signed in') {
      throw new Error(`the app could not redeem the code: ${(await main.locator('body').innerText()).slice(0, 800)}`);
    }
    const back = new URL(main.url());
    result.app = { callback: back.origin + back.pathname, state: back.searchParams.get('state') };
  });

  await step('account page: change the profile name', async () => {
    await visit(main, `${BASE}/account`);
    await audit(main, 'account');
    await main.locator('#first_name').fill(person.new_first_name);
    await main.locator('#last_name').fill(person.new_last_name);
    await clickAndLoad(main, main.locator('form[action="/account"] button[type="submit"]'));
    const errors = await errorsOnPage(main);
    if (errors) throw new Error(`saving the profile failed: ${errors}`);
    const [first, last] = [await main.locator('#first_name').inputValue(), await main.locator('#last_name').inputValue()];
    note(`saved: "${first} ${last}"; notice: ${(await main.locator('main .banner-notice').first().innerText().catch(() => '(none)')).trim()}`);
    if (first !== person.new_first_name || last !== person.new_last_name) {
      throw new Error(`after saving, the form shows "${first} ${last}"`);
    }
    await audit(main, 'account-saved');
  });

  await step('helpdesk: /remote-auth hands the browser to the helpdesk', async () => {
    const start = `${BASE}${input.helpdesk.start}`;
    holdAutosubmit = true;
    try {
      await visit(main, start);
      if (await main.locator(`form[action^="${input.helpdesk.origin}"]`).count()) {
        await audit(main, 'remote-auth');
      } else {
        note(`(no hand-off page: ${main.url()})`);
      }
    } finally {
      holdAutosubmit = false;
    }
    const before = helpdeskRequests.length;
    await main.goto(start, { waitUntil: 'commit' });
    await waitForUrl(main, 'the helpdesk', (u) => u.origin === input.helpdesk.origin);
    // The page's own request (the browser asks the helpdesk for its /favicon.ico too).
    const sent = helpdeskRequests.slice(before).filter((r) => r.type === 'Document');
    if (!sent.length) throw new Error('no page request reached the helpdesk');
    const last = sent[0];
    const fields = last.method === 'POST' ? Object.fromEntries(new URLSearchParams(last.body)) : {};
    note(`${last.method} ${last.url.split('?')[0]} with ${Object.keys(fields).join(', ') || 'a query'}`);
    result.helpdesk = { url: last.url, method: last.method, fields };
  });

  await step('password change page', async () => {
    await visit(main, `${BASE}/account`);
    await clickAndLoad(main, main.locator('a[href="/password/change"]'));
    await audit(main, 'password-change');
    await clickAndLoad(main, main.locator('main a[href="/account"]'));
  });

  await step('sessions: sign out everywhere else (if the page has it)', async () => {
    await visit(main, `${BASE}/account`);
    if (!(await main.locator('#sessions-heading').count())) {
      note('SKIPPED: the account page has no #sessions-heading yet');
      result.self_service.sessions = 'skipped';
      return;
    }
    const other = await newPage(browser, 'second browser of the person');
    await visit(other, `${BASE}/login`);
    await logIn(other, person.username, person.password);
    await main.reload();
    const section = main.locator('section:has(#sessions-heading)');
    note(`sessions listed: ${await section.locator('li').count()}`);
    // The one button for all other sessions (not a single session's "Sign out").
    let button = section.locator('form[action*="other"] button[type="submit"]').first();
    if (!(await button.count())) button = section.locator('button', { hasText: /everywhere|other|elsewhere/i }).first();
    if (!(await button.count())) {
      finding('flow', 'the sessions section has no "sign out everywhere else" button');
      return;
    }
    await clickAndLoad(main, button);
    const errors = await errorsOnPage(main);
    if (errors) throw new Error(`signing out elsewhere failed: ${errors}`);
    await audit(main, 'account-sessions-ended');
    if (path(main) !== '/account') await visit(main, `${BASE}/account`);
    if (path(main) !== '/account') throw new Error('signing out elsewhere signed this browser out too');
    await visit(other, `${BASE}/account`);
    if (path(other) !== '/login') throw new Error(`the other browser is still signed in (at ${other.url()})`);
    note('the other browser was signed out; this one stays signed in');
    result.self_service.sessions = 'done';
  });

  await step('download my data (if the page has it)', async () => {
    await visit(main, `${BASE}/account`);
    const trigger = main.locator('a[href^="/account/data"], form[action^="/account/data"] button[type="submit"]').first();
    if (!(await trigger.count())) {
      note('SKIPPED: the account page has no link or form to /account/data yet');
      result.self_service.data = 'skipped';
      return;
    }
    downloadsExpected = true;
    try {
      const fillPasswords = async () => {
        for (const field of await main.locator('form[action^="/account/data"] input[type="password"]').all()) {
          await field.fill(person.password);
        }
      };
      const download = async (locator) =>
        Promise.race([
          main.waitForEvent('download', { timeout: ACTION_TIMEOUT_MS }).then((d) => ({ download: d })),
          main.waitForNavigation({ waitUntil: 'load', timeout: ACTION_TIMEOUT_MS }).then(() => ({ page: true })),
          locator.click().then(() => new Promise(() => {})),
        ]);
      await fillPasswords();
      let outcome = await download(trigger);
      if (outcome.page) {
        await audit(main, 'account-data');
        const next = main.locator('a[download], a[href^="/account/data"], form[action^="/account/data"] button[type="submit"]').first();
        if (!(await next.count())) throw new Error(`/account/data showed a page without a download: ${main.url()}`);
        await fillPasswords();
        outcome = await download(next);
      }
      if (!outcome.download) throw new Error(`no download from /account/data (at ${main.url()})`);
      const file = await outcome.download.path();
      const body = readFileSync(file);
      const name = outcome.download.suggestedFilename();
      note(`downloaded ${name} (${body.length} bytes)`);
      if (!body.toString('utf8').includes(person.username) && !/\.zip$/i.test(name)) {
        finding('flow', `"Download my data" gave ${name} (${body.length} bytes) without the username ${person.username} in it`);
      }
      result.self_service.data = { file: name, bytes: body.length };
    } finally {
      downloadsExpected = false;
    }
  });

  await step('remove the app\'s access', async () => {
    await visit(main, `${BASE}/account`);
    const form = main.locator(`form[action="/account/apps/revoke"]:has(input[name="client_id"][value="${input.app.client_id}"])`);
    if (!(await form.count())) throw new Error(`the account page does not list ${input.app.name} under apps`);
    await clickAndLoad(main, form.locator('button[type="submit"]'));
    const errors = await errorsOnPage(main);
    if (errors) throw new Error(`removing access failed: ${errors}`);
    note(`notice: ${(await main.locator('main .banner-notice').first().innerText().catch(() => '(none)')).trim()}`);
    await visit(main, `${BASE}/account`);
    if (await main.locator(`form[action="/account/apps/revoke"]:has(input[value="${input.app.client_id}"])`).count()) {
      throw new Error(`${input.app.name} is still listed after "Remove access"`);
    }
    result.removed_access = true;
  });

  await step('authenticator app: set up, recovery codes', async () => {
    await visit(main, `${BASE}/account`);
    const setUp = main.locator('a[href="/account/totp"]');
    if (!(await setUp.count())) throw new Error('the account page has no link to set up an authenticator app');
    await clickAndLoad(main, setUp);
    await audit(main, 'totp-setup');
    const uri = await main.locator('#totp-uri').getAttribute('href');
    result.totp_secret = new URL(uri).searchParams.get('secret');
    await main.locator('#code').fill(totpCode(uri));
    await clickAndLoad(main, main.locator('form[action="/account/totp"] button[type="submit"]'));
    const codes = (await main.locator('#recovery-codes code').allInnerTexts()).map((c) => c.trim());
    if (!codes.length) throw new Error(`no recovery codes after the code was accepted: ${await errorsOnPage(main)}`);
    note(`${codes.length} recovery codes`);
    result.recovery_codes = codes;
    await audit(main, 'recovery-codes');
    await clickAndLoad(main, main.locator('main .actions a.button'));
    if (path(main) !== '/account') throw new Error(`"saved them" led to ${main.url()}`);
  });

  await step('log out', async () => {
    await clickAndLoad(main, main.locator('.site-nav a[href="/logout"]'));
    await audit(main, 'logout');
    await clickAndLoad(main, main.locator('form[action="/logout"] button[type="submit"]'));
    note(`"${(await main.locator('h1').innerText()).trim()}"`);
    await audit(main, 'logged-out');
  });

  await step('reset the password (link from the outbox)', async () => {
    await visit(main, `${BASE}/login`);
    await clickAndLoad(main, main.locator('a[href="/password/reset"]'));
    await audit(main, 'password-reset-request');
    await main.locator('#login').fill(person.email);
    await clickAndLoad(main, main.locator('form[action="/password/reset"] button[type="submit"]'));
    await audit(main, 'password-reset-sent');
    const link = await linkInMail(person.email, '/password/reset/');
    await visit(main, link);
    await audit(main, 'password-reset-form');
    await main.locator('#password').fill(person.new_password);
    await main.locator('#password2').fill(person.new_password);
    await clickAndLoad(main, main.locator('form[action^="/password/reset/"] button[type="submit"]'));
    const errors = await errorsOnPage(main);
    if (errors) throw new Error(`the new password was refused: ${errors}`);
    note(`"${(await main.locator('h1').innerText()).trim()}"`);
    await audit(main, 'password-reset-done');
  });

  await step('log in with the new password and a recovery code', async () => {
    await visit(main, `${BASE}/login`);
    await logIn(main, person.username, person.new_password);
    await waitForUrl(main, 'the second step', (u) => atTessera(u, '/login/second-factor'));
    await audit(main, 'second-factor');
    await main.locator('#code').fill(result.recovery_codes[0]);
    await clickAndLoad(main, main.locator('form[action="/login/second-factor"] button[type="submit"]'));
    if (path(main) !== '/account') throw new Error(`the recovery code did not sign in: ${main.url()}: ${await errorsOnPage(main)}`);
  });

  await step('RP-initiated logout back to the app', async () => {
    const state = 'pages-e2e-logout-state';
    const url = new URL(`${BASE}/logout`);
    url.searchParams.set('client_id', input.app.client_id);
    url.searchParams.set('post_logout_redirect_uri', input.app.post_logout);
    url.searchParams.set('state', state);
    await visit(main, url.href);
    if (!(await main.locator('form[action="/logout"] input[name="post_logout_redirect_uri"]').count())) {
      throw new Error(`the logout page does not carry the app's return address (at ${main.url()})`);
    }
    await audit(main, 'logout');
    await clickAndLoad(main, main.locator('form[action="/logout"] button[type="submit"]'));
    await waitForUrl(main, 'the post-logout page', (u) => u.href.startsWith(input.app.post_logout));
    const back = new URL(main.url());
    if (back.searchParams.get('state') !== state) throw new Error(`back at the app without the state: ${main.url()}`);
    note(`back at ${main.url()}`);
    result.post_logout = main.url();
    await visit(main, `${BASE}/account`);
    if (path(main) !== '/login') throw new Error(`still signed in after the logout (at ${main.url()})`);
  });

  await step(`sign in with ${input.upstreams.sign_in[0]}, connect ${input.upstreams.connect[0]}`, async () => {
    const [provider, who] = input.upstreams.sign_in;
    const [other, whoElse] = input.upstreams.connect;
    const social = await newPage(browser, 'upstream browser');
    await visit(social, `${BASE}/login`);
    await social.locator(`ul.providers a[href^="/login/${provider}"]`).click();
    await social.locator(`a[data-choice="${who}"]`).waitFor();
    note(`${provider}'s sandbox page: ${new URL(social.url()).origin}`);
    await clickAndLoad(social, social.locator(`a[data-choice="${who}"]`));
    await waitForUrl(social, 'the account page', (u) => atTessera(u, '/account'));
    await audit(social, 'account-upstream');
    await social.locator(`form[action="/account/connect/${other}"] button[type="submit"]`).click();
    await social.locator(`a[data-choice="${whoElse}"]`).waitFor();
    await clickAndLoad(social, social.locator(`a[data-choice="${whoElse}"]`));
    await waitForUrl(social, 'the account page', (u) => atTessera(u, '/account'));
    const errors = await errorsOnPage(social);
    if (errors) throw new Error(`connecting ${other} failed: ${errors}`);
    const connected = (await social.locator('section:has(#providers-heading) .item strong').allInnerTexts()).map((t) => t.trim());
    note(`connected: ${connected.join(', ')}`);
    result.connected = connected;
    await audit(social, 'account-connected');
    // An account without a password is offered to set one.
    const set = social.locator('main a[href="/password/set"]');
    if (await set.count()) {
      try {
        await clickAndLoad(social, set);
        note(`"Set a password": ${social.url()} "${(await social.locator('h1').innerText().catch(() => '?')).trim()}"`);
        await audit(social, 'password-set');
      } catch (e) {
        // A broken link is a page problem (the watchers above recorded it); the run goes on.
        note(`("Set a password" did not work: ${e.message.split('\n')[0]})`);
      }
    }
  });

  await step('staff: the list of accounts', async () => {
    const staff = await newPage(browser, 'staff browser');
    await visit(staff, `${BASE}/login`);
    await logIn(staff, input.staff.login, input.staff.password);
    await visit(staff, `${BASE}/admin/users`);
    if (path(staff) !== '/admin/users') throw new Error(`/admin/users led to ${staff.url()}`);
    note(`${await staff.locator('tbody tr').count()} accounts listed`);
    await audit(staff, 'admin-users');
  });

  await step('delete my account (if the page has it)', async () => {
    const doomed = await newPage(browser, 'browser of the account to delete');
    await visit(doomed, `${BASE}/login`);
    await logIn(doomed, input.doomed.login, input.doomed.password);
    await visit(doomed, `${BASE}/account`);
    const trigger = doomed.locator('a[href^="/account/delete"], form[action^="/account/delete"] button[type="submit"]').first();
    if (!(await trigger.count())) {
      note('SKIPPED: the account page has no link or form to /account/delete yet');
      result.self_service.delete = 'skipped';
      return;
    }
    const fill = async () => {
      const form = doomed.locator('form[action^="/account/delete"]');
      for (const f of await form.locator('input[type="password"]').all()) await f.fill(input.doomed.password);
      for (const f of await form.locator('input[type="checkbox"][required]').all()) await f.check();
      for (const f of await form.locator('input[type="text"][required]:not([value]), input[type="text"][required][value=""]').all()) {
        await f.fill(input.doomed.login);
      }
    };
    await fill();
    await clickAndLoad(doomed, trigger);
    if (await doomed.locator('form[action^="/account/delete"]').count()) {
      // A confirmation page first.
      await audit(doomed, 'account-delete');
      await fill();
      await clickAndLoad(doomed, doomed.locator('form[action^="/account/delete"] button[type="submit"]').last());
    }
    const errors = await errorsOnPage(doomed);
    if (errors) throw new Error(`deleting the account failed at ${doomed.url()}: ${errors}`);
    note(`"${(await doomed.locator('h1').innerText().catch(() => '?')).trim()}" at ${path(doomed)}`);
    await audit(doomed, 'account-deleted');
    await visit(doomed, `${BASE}/login`);
    await doomed.locator('#login').fill(input.doomed.login);
    await doomed.locator('#password').fill(input.doomed.password);
    // Refused on purpose: the login form's answer is a 401 page.
    allowedErrorDocuments.add(`${BASE}/login`);
    try {
      await clickAndLoad(doomed, doomed.locator('form[action="/login"] button[type="submit"]'));
    } finally {
      allowedErrorDocuments.delete(`${BASE}/login`);
    }
    if (path(doomed) !== '/login') throw new Error(`the deleted account still signs in (at ${doomed.url()})`);
    note('the deleted account no longer signs in');
    result.self_service.delete = 'done';
  });

  currentStep = 'finish';
  result.pages = [...audited];
  result.screenshots = screenshots;
  result.cookies = [];
  for (const context of contexts) {
    for (const c of await context.cookies()) result.cookies.push(c.value);
  }
  return result;
}

let status = 0;
try {
  const output = await main();
  log(`checked ${audited.size} pages × ${MODES.length} modes; screenshots in ${screenshots}`);
  if (findings.length) {
    status = 1;
    printFindings();
    log(`FAILED: the flows worked, but the pages have ${findings.length} problem(s) (listed above)`);
  }
  process.stdout.write(`${JSON.stringify(output)}\n`);
} catch (e) {
  status = 1;
  log(`FAILED at step "${currentStep}": ${e && e.message ? e.message : e}`);
  for (const { label, page } of pages) {
    const name = `failure-${label.replace(/[^a-z0-9]+/gi, '-')}.png`;
    log(`  ${label} was at ${page.url()} (screenshot ${name})`);
    await page.screenshot({ path: join(screenshots, name), fullPage: true, timeout: 5_000 }).catch(() => {});
  }
  printFindings();
} finally {
  if (browser) {
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
  }
  clearTimeout(watchdog);
}
process.exit(status);
