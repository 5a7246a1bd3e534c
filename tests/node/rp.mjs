// A downstream app built on openid-client (a certified relying party), run by Tessera's test
// suite: discovery, authorization code + PKCE, ID token validation, userinfo, refresh,
// revocation and introspection, against a Tessera on loopback.
// Usage: node rp.mjs ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI USERNAME PASSWORD
import * as client from 'openid-client';

const [issuer, clientId, clientSecret, redirectUri, username, password] = process.argv.slice(2);

// A browser, reduced to what a login needs: a cookie jar and manual redirects.
const jar = new Map();
async function browse(url, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return res;
}
const field = (html, name) => {
  const m = html.match(new RegExp(`name="${name}" value="([^"]*)"`));
  if (!m) throw new Error(`no ${name} field in page: ${html.slice(0, 400)}`);
  return m[1];
};
const form = (fields) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

const config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
  execute: [client.allowInsecureRequests], // loopback test server speaks plain HTTP
});
const codeVerifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const authUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email offline_access',
  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: 'S256',
  state,
  nonce,
});

let next = authUrl.href;
let callback;
for (let hop = 0; hop < 12 && !callback; hop++) {
  const res = await browse(next);
  if (res.status === 303 || res.status === 302) {
    const to = new URL(res.headers.get('location'), issuer).href;
    if (to.startsWith(redirectUri)) { callback = to; break; }
    if (new URL(to).pathname === '/login') {
      const page = await (await browse(to)).text();
      const after = new URL(to).searchParams.get('next');
      const r = await browse(new URL('/login', issuer), form({ csrf: field(page, 'csrf'), login: username, password, next: after }));
      if (r.status !== 303) throw new Error(`login failed with ${r.status}`);
      next = new URL(r.headers.get('location'), issuer).href;
    } else {
      next = to;
    }
    continue;
  }
  const html = await res.text();
  if (!html.includes('name="decision"')) throw new Error(`unexpected page ${res.status}: ${html.slice(0, 400)}`);
  const r = await browse(new URL('/consent', issuer), form({ csrf: field(html, 'csrf'), id: field(html, 'id'), decision: 'allow' }));
  next = new URL(r.headers.get('location'), issuer).href;
}
if (!callback) throw new Error('never came back to the app');

const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
  pkceCodeVerifier: codeVerifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
const before = await client.tokenIntrospection(config, refreshed.access_token);
await client.tokenRevocation(config, refreshed.refresh_token);
const after = await client.tokenIntrospection(config, refreshed.access_token);

console.log(JSON.stringify({
  sub: claims.sub,
  preferred_username: claims.preferred_username,
  userinfo_email: userinfo.email,
  refreshed: refreshed.access_token !== tokens.access_token,
  active_before_revocation: before.active,
  active_after_revocation: after.active,
}));
