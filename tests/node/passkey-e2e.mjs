// Passkeys end to end in a real browser: headless Chromium driven by playwright-core, with
// Chrome DevTools' virtual authenticator (a CTAP2 platform authenticator that holds
// discoverable credentials and verifies its user). tests/passkeys_browser.rs runs it against a
// Tessera whose issuer is http://localhost:PORT (WebAuthn wants a domain as relying-party id).
//
//   node passkey-e2e.mjs BASE USERNAME PASSWORD AUTHORIZE_URL REDIRECT_URI
//
//   BASE           Tessera's base URL, e.g. http://localhost:43123
//   USERNAME       a person with a password and no passkey yet
//   PASSWORD       that person's password
//   AUTHORIZE_URL  the full /authorize URL of an app's code flow (built by the Rust test)
//   REDIRECT_URI   that app's redirect_uri: every URL starting with it is answered by this
//                  script (nothing needs to listen there), on a port Chromium does not block
//                  (not e.g. 9, ERR_UNSAFE_PORT)
//
// Environment: TESSERA_CHROMIUM (the browser, default /usr/bin/chromium); TESSERA_E2E_SCREENSHOTS
// (a directory: one screenshot per step, and one of the page where a failure happened).
//
// Steps: sign in with username and password -> /account: add a passkey -> log out -> /login:
// "Sign in with a passkey" only -> open AUTHORIZE_URL -> the browser is sent to REDIRECT_URI
// with code and state (answered here with a tiny page; the Rust test exchanges the code).
//
// Any console error, page error, dialog, failed request, or HTTP status >= 400 of a request to
// BASE's origin fails the run; left out are only the browser's own /favicon.ico (Tessera has
// none) and fetches cut off (ERR_ABORTED) by a navigation. The login page's conditional UI
// (passkeys in the username autofill) is held pending, as for a person who ignores the
// autofill, so that the button is what signs in (see the init script below). Every wait is
// bounded (15 s a wait, 120 s the whole run). On success one JSON line goes to stdout:
//   {"redirect": "<REDIRECT_URI?code=…&state=…>", "passkeys_listed": N}
// and progress goes to stderr; on failure the exit status is 1 and stderr says what went wrong.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const STEP_TIMEOUT_MS = 15_000;
const WHOLE_RUN_MS = 120_000;

const [BASE, USERNAME, PASSWORD, AUTHORIZE_URL, REDIRECT_URI] = process.argv.slice(2);
if (!BASE || !USERNAME || !PASSWORD || !AUTHORIZE_URL || !REDIRECT_URI) {
  process.stderr.write('usage: node passkey-e2e.mjs BASE USERNAME PASSWORD AUTHORIZE_URL REDIRECT_URI\n');
  process.exit(2);
}
const origin = new URL(BASE).origin;
const screenshots = process.env.TESSERA_E2E_SCREENSHOTS || '';
const executablePath = process.env.TESSERA_CHROMIUM || '/usr/bin/chromium';
const PASSKEY_NAME = 'E2E virtual authenticator';

const log = (text) => process.stderr.write(`passkey-e2e: ${text}\n`);

// A whole-run watchdog, in case something below is not bounded after all.
const watchdog = setTimeout(() => {
  log(`FAILED: the run took longer than ${WHOLE_RUN_MS / 1000} s`);
  process.exit(1);
}, WHOLE_RUN_MS);

// What the page did wrong. The first problem rejects `problem`, which every step races, so a
// failure ends the run at once instead of at the step's timeout.
const problems = [];
let reportProblem;
const problem = new Promise((_, reject) => {
  reportProblem = (text) => {
    problems.push(text);
    reject(new Error(text));
  };
});
problem.catch(() => {}); // raced below; never an unhandled rejection

const intercepted = (url) => url.startsWith(REDIRECT_URI);
// The browser asks for /favicon.ico on its own, and Tessera has none: not the pages' doing.
const favicon = (url) => url === `${origin}/favicon.ico`;
let redirect = null;

let browser;
let page;
let stepNumber = 0;
let currentStep = 'launch';

async function screenshot(name) {
  if (!screenshots || !page) return;
  try {
    mkdirSync(screenshots, { recursive: true });
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true, timeout: 5_000 });
  } catch (e) {
    log(`(no screenshot ${name}: ${e.message.split('\n')[0]})`);
  }
}

// Runs one step, bounded, failing as soon as the page reports a problem.
async function step(name, body) {
  currentStep = name;
  stepNumber += 1;
  log(`step ${stepNumber}: ${name}`);
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step timed out after ${(2 * STEP_TIMEOUT_MS) / 1000} s`)), 2 * STEP_TIMEOUT_MS);
  });
  try {
    const result = await Promise.race([body(), problem, timeout]);
    if (problems.length) throw new Error(problems[0]);
    await screenshot(`${String(stepNumber).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

// Waits for `predicate(URL)` on the main frame, and names the URL the page is at if it does not come.
async function waitForUrl(what, predicate) {
  try {
    await page.waitForURL((url) => predicate(url), { timeout: STEP_TIMEOUT_MS, waitUntil: 'load' });
  } catch (e) {
    throw new Error(`waiting for ${what}: the page stayed at ${page.url()} (${e.message.split('\n')[0]})`);
  }
}

// Waits for `locator`, or fails with what the page's passkey script showed in #passkey-error.
async function passkeyOutcome(what, locator) {
  const error = page.locator('#passkey-error');
  const shown = error.waitFor({ state: 'visible' }).then(
    async () => {
      throw new Error(`${what}: the page says "${(await error.innerText().catch(() => '?')).trim()}" (at ${page.url()})`);
    },
    () => new Promise(() => {}), // not shown in time: the other wait's timeout tells
  );
  await Promise.race([locator.waitFor({ state: 'visible' }), shown]);
}

async function credentials(cdp, authenticatorId) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials;
}

async function main() {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    timeout: STEP_TIMEOUT_MS,
    // localhost must be this machine's IPv4 loopback, where the test server listens.
    args: ['--no-sandbox', '--host-resolver-rules=MAP localhost 127.0.0.1'],
  });
  log(`browser: ${executablePath} ${browser.version()}`);
  const context = await browser.newContext();
  // The login page's conditional UI (navigator.credentials.get with mediation "conditional",
  // for the autofill of the username field) would be answered at once by the virtual
  // authenticator, which picks its first credential when presence is simulated: the page would
  // sign in before anyone clicks. A person who ignores the autofill leaves that request
  // pending until the page aborts it; so it is here, and the button is what signs in. Every
  // other WebAuthn call reaches the real browser and the virtual authenticator.
  await context.addInitScript(() => {
    if (typeof CredentialsContainer === 'undefined') return;
    const realGet = CredentialsContainer.prototype.get;
    CredentialsContainer.prototype.get = function get(options) {
      if (!options || options.mediation !== 'conditional') return realGet.call(this, options);
      return new Promise((_, reject) => {
        const signal = options.signal;
        if (!signal) return;
        const abort = () => reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
        if (signal.aborted) abort();
        else signal.addEventListener('abort', abort, { once: true });
      });
    };
  });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);

  const seenConsole = new Set();
  page.on('console', (message) => {
    const where = message.location();
    if (message.type() === 'error' && !favicon(where.url)) {
      reportProblem(`console error on ${page.url()}: ${message.text()} (at ${where.url}:${where.lineNumber})`);
    } else if (message.type() !== 'verbose' && !favicon(where.url) && !seenConsole.has(message.text())) {
      seenConsole.add(message.text()); // a header's warning comes with every page: once is enough
      log(`(console.${message.type()} on ${page.url()}: ${message.text()})`);
    }
  });
  page.on('pageerror', (error) => reportProblem(`uncaught exception on ${page.url()}: ${error.stack || error}`));
  page.on('dialog', (dialog) => {
    reportProblem(`unexpected ${dialog.type()} dialog on ${page.url()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on('requestfailed', (request) => {
    if (intercepted(request.url()) || favicon(request.url())) return;
    const error = request.failure()?.errorText;
    const what = `${request.method()} ${request.url()}: ${error} (on ${page.url()})`;
    // A page's fetch is cut off (ERR_ABORTED) when the page navigates away, the test's own
    // navigations included (the login page asks for its autofill ceremony on load), or when
    // the page aborts it: the browser's way, not a failure. Connection errors have other
    // codes, and a cut-off page load (a document) still fails.
    if (error === 'net::ERR_ABORTED' && request.resourceType() !== 'document') {
      log(`(cut off: ${what})`);
      return;
    }
    reportProblem(`request failed: ${what}`);
  });
  page.on('response', (response) => {
    const url = response.url();
    if (intercepted(url) || favicon(url) || !url.startsWith(`${origin}/`)) return;
    if (response.status() >= 400) {
      const request = response.request();
      response
        .text()
        .catch(() => '')
        .then((body) =>
          reportProblem(
            `HTTP ${response.status()} for ${request.method()} ${url}` +
              (request.postData() && !/password/.test(request.postData())
                ? ` (request body: ${request.postData().slice(0, 500)})`
                : '') +
              `: ${body.slice(0, 500)}`,
          ),
        );
    }
  });
  // The virtual authenticator: CTAP2, built in (a platform authenticator), resident keys,
  // user verification that succeeds, presence given without a touch.
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  log(`virtual authenticator ${authenticatorId}`);

  // The app's redirect URI is not served by anyone: answer it here and keep its URL. Tessera
  // sends the browser there with a 303, and page.route() never sees a redirect's next hop
  // (a documented Playwright limit), so this uses DevTools' Fetch domain, which pauses every
  // hop that matches.
  cdp.on('Fetch.requestPaused', ({ requestId, request }) => {
    if (!intercepted(request.url)) {
      cdp.send('Fetch.continueRequest', { requestId }).catch(() => {});
      return;
    }
    redirect = request.url;
    cdp
      .send('Fetch.fulfillRequest', {
        requestId,
        responseCode: 200,
        responseHeaders: [{ name: 'Content-Type', value: 'text/html; charset=utf-8' }],
        body: Buffer.from('<!doctype html><title>The app</title><p>Back at the app.</p>').toString('base64'),
      })
      .catch((e) => reportProblem(`could not answer ${request.url}: ${e.message}`));
  });
  await cdp.send('Fetch.enable', {
    patterns: [{ urlPattern: `${REDIRECT_URI.replace(/[*?\\]/g, '\\$&')}*`, requestStage: 'Request' }],
  });

  await step('password login', async () => {
    await page.goto(`${BASE}/login`);
    await page.locator('input[name="login"]').fill(USERNAME);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await Promise.all([
      waitForUrl('/account after the password login', (url) => url.pathname === '/account'),
      page.locator('form:has(input[name="password"]) button[type="submit"]').click(),
    ]);
  });

  await step('add a passkey', async () => {
    if ((await credentials(cdp, authenticatorId)).length !== 0) {
      throw new Error('the virtual authenticator already holds a credential');
    }
    await page.locator('#passkey-name').fill(PASSKEY_NAME);
    await page.locator('#passkey-add-button').click();
    // The ceremony ends in a reload of /account that lists the new passkey.
    await passkeyOutcome('adding the passkey', page.locator('li.passkey', { hasText: PASSKEY_NAME }).first());
    const held = await credentials(cdp, authenticatorId);
    if (held.length !== 1) {
      throw new Error(`the authenticator holds ${held.length} credentials after adding one passkey`);
    }
    if (!held[0].isResidentCredential) {
      throw new Error('Tessera asked for a non-discoverable credential: passkey sign-in without a username cannot work');
    }
    log(`credential created for rp ${held[0].rpId}, sign count ${held[0].signCount}`);
    if (held[0].rpId !== new URL(BASE).hostname) {
      throw new Error(`the credential's relying party is ${held[0].rpId}, not ${new URL(BASE).hostname}`);
    }
  });

  await step('log out', async () => {
    await page.goto(`${BASE}/logout`);
    await Promise.all([
      page.waitForNavigation({ waitUntil: 'load' }),
      page.locator('form[action="/logout"] button[type="submit"]', { hasText: 'Log out' }).click(),
    ]);
    // Signed out: the account page sends the browser to the login page.
    await page.goto(`${BASE}/account`);
    if (new URL(page.url()).pathname !== '/login') {
      throw new Error(`after logging out, /account ended at ${page.url()} instead of /login`);
    }
  });

  const passkeysListed = await step('sign in with the passkey', async () => {
    // The log-out step ended on the login page (with next=/account).
    if (new URL(page.url()).pathname !== '/login') await page.goto(`${BASE}/login`);
    const before = (await credentials(cdp, authenticatorId))[0].signCount;
    await page.locator('#passkey-sign-in').click();
    await passkeyOutcome('the passkey sign-in', page.locator('li.passkey', { hasText: PASSKEY_NAME }).first());
    await waitForUrl('the account page after the passkey sign-in', (url) => url.pathname === '/account');
    const after = (await credentials(cdp, authenticatorId))[0].signCount;
    log(`signed in with the passkey (authenticator sign count ${before} -> ${after})`);
    if (!(after > before)) {
      throw new Error('the authenticator was not used for the sign-in (its sign count did not move)');
    }
    // The account page is the person's: it lists the passkey just used.
    await page.locator('li.passkey', { hasText: PASSKEY_NAME }).first().waitFor({ state: 'visible' });
    return page.locator('li.passkey').count();
  });

  await step('authorize the app', async () => {
    try {
      await page.goto(AUTHORIZE_URL, { waitUntil: 'load' });
    } catch (e) {
      if (!redirect) throw e;
    }
    if (!redirect) {
      const text = (await page.locator('body').innerText().catch(() => '')).slice(0, 800);
      throw new Error(`/authorize did not send the browser to the app: it stayed at ${page.url()}:\n${text}`);
    }
    if (!intercepted(page.url())) {
      throw new Error(`the page ended at ${page.url()}, not at the app's ${REDIRECT_URI}`);
    }
  });

  return { redirect, passkeys_listed: passkeysListed };
}

let status = 0;
try {
  const result = await main();
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  status = 1;
  log(`FAILED at step "${currentStep}": ${e && e.message ? e.message : e}`);
  for (const p of problems.slice(1)) log(`  and: ${p}`);
  if (page) {
    log(`  the page was at ${page.url()}`);
    await screenshot('failure');
  }
} finally {
  if (browser) {
    await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5_000))]);
  }
  clearTimeout(watchdog);
}
process.exit(status);
