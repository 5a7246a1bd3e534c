#!/usr/bin/env node
// Benchmark anchor: Node's OpenID-certified `oidc-provider` (pinned in
// package.json), configured like Tessera's benchmark setup so both servers can
// be driven by the same wrk scripts.
//
//   node scripts/bench-anchor/server.mjs --port PORT --tokens-out FILE
//
// Listens on 127.0.0.1:PORT (one process, no cluster), issuer
// http://127.0.0.1:PORT. Before it prints anything on stdout it mints tokens
// through the provider's own models and writes FILE (JSON):
//   { "access_token": "...", "refresh_tokens": ["...", ... 200], "cc_token": "..." }
// then prints exactly one line on stdout: `ready http://127.0.0.1:PORT`.
// Everything else (library notices and warnings) goes to stderr.

import { generateKeyPairSync } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

// oidc-provider prints its NOTICE lines with console.info (stdout). Keep stdout
// for the single `ready` line: send console.log/info to stderr. This must run
// before the library is loaded, hence the dynamic imports below.
console.log = console.error;
console.info = console.error;

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    'tokens-out': { type: 'string' },
    'refresh-tokens': { type: 'string', default: '200' },
  },
  strict: true,
});

const port = Number.parseInt(args.port ?? '', 10);
const tokensOut = args['tokens-out'];
const refreshCount = Number.parseInt(args['refresh-tokens'], 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535 || !tokensOut
  || !Number.isInteger(refreshCount) || refreshCount < 1) {
  process.stderr.write('usage: node server.mjs --port PORT --tokens-out FILE [--refresh-tokens N]\n');
  process.exit(2);
}

const { default: Provider, errors } = await import('oidc-provider');
// The library's own in-memory adapter class (what it uses by default), see
// makeAdapter() for why it gets a store of ours.
const { default: MemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
const { default: LRU } = await import('oidc-provider/lib/helpers/lru.js');

const HOST = '127.0.0.1';
const ISSUER = `http://${HOST}:${port}`;
const SECRET = 'bench-client-secret-0123456789';
const ACCOUNT = {
  sub: 'bench',
  email: 'bench@example.com',
  email_verified: true,
  name: 'Bench Person',
  preferred_username: 'bench',
};

// --- storage ---------------------------------------------------------------
// The library default (`adapter` unset) is MemoryAdapter over a two-generation
// LRU of 1000 entries. Under load every minted token is an insert, so the
// tokens minted here at startup - which sit untouched until a benchmark phase
// uses them - would be evicted within a second of e.g. a client_credentials
// run. So: the same MemoryAdapter class and the same LRU, but every key
// written during startup is pinned (kept until it expires or is deleted);
// everything written later goes to the LRU exactly as with the default.
class PinnedStore {
  #pinned = new Map(); // key -> { value, expiry }

  #lru = new LRU({ maxSize: 1000 });

  pinning = true;

  #live(key) {
    const entry = this.#pinned.get(key);
    if (entry === undefined) return undefined;
    if (typeof entry.expiry === 'number' && entry.expiry <= Date.now()) {
      this.#pinned.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key) {
    const entry = this.#live(key);
    return entry === undefined ? this.#lru.get(key) : entry.value;
  }

  set(key, value, { maxAge } = {}) {
    if (this.pinning || this.#pinned.has(key)) {
      const expiry = typeof maxAge === 'number' && maxAge !== Number.POSITIVE_INFINITY
        ? Date.now() + maxAge
        : undefined;
      this.#pinned.set(key, { value, expiry });
      this.#lru.delete(key);
    } else {
      this.#lru.set(key, value, { maxAge });
    }
    return this;
  }

  has(key) {
    return this.#live(key) !== undefined || this.#lru.has(key);
  }

  delete(key) {
    const pinned = this.#pinned.delete(key);
    return this.#lru.delete(key) || pinned;
  }
}

const store = new PinnedStore();
const clockTolerance = 0; // library default

// --- signing key -------------------------------------------------------------
// A fresh RS256 key per run (the library would otherwise use its built-in,
// publicly known development keys and warn about it).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', alg: 'RS256', use: 'sig' };

// --- configuration -----------------------------------------------------------
const DAY = 24 * 60 * 60;

const configuration = {
  adapter: (model) => new MemoryAdapter(model, store, clockTolerance),
  clients: [
    {
      client_id: 'cc',
      client_secret: SECRET,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'api',
    },
    {
      client_id: 'app',
      client_secret: SECRET,
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1:9000/cb'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid email profile offline_access',
    },
  ],
  scopes: ['openid', 'email', 'profile', 'offline_access', 'api'],
  claims: {
    acr: null,
    auth_time: null,
    iss: null,
    sid: null,
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  async findAccount(_ctx, sub) {
    if (sub !== ACCOUNT.sub) return undefined;
    return {
      accountId: ACCOUNT.sub,
      async claims() {
        return { ...ACCOUNT };
      },
    };
  },
  features: {
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // Any client that authenticated (not `none`) may introspect any token,
      // like a resource server would. `app` introspecting its own access
      // token is the benchmarked case.
      async allowedPolicy(ctx, client) {
        return client.clientAuthMethod !== 'none';
      },
    },
    revocation: {
      enabled: true,
      // Same rule as the library default: a client may only revoke its own
      // tokens (another client's -> 400 invalid_request).
      async allowedPolicy(ctx, client, token) {
        if (token.clientId !== client.clientId) {
          if (client.clientAuthMethod === 'none') return false;
          throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
        }
        return true;
      },
    },
    userinfo: { enabled: true },
    devInteractions: { enabled: true },
  },
  // Rotate on every use (the default only rotates public clients / old tokens).
  rotateRefreshToken: true,
  ttl: {
    AccessToken: 60 * 60,
    AuthorizationCode: 60,
    ClientCredentials: 60 * 60,
    IdToken: 60 * 60,
    RefreshToken: 14 * DAY,
    Grant: 14 * DAY,
    Session: 14 * DAY,
    Interaction: 60 * 60,
  },
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['bench-anchor-cookie-key-0123456789abcdef'] },
  clientBasedCORS: () => false,
};

const provider = new Provider(ISSUER, configuration);
provider.on('server_error', (_ctx, err) => {
  process.stderr.write(`oidc-provider server_error: ${err?.stack ?? err}\n`);
});

// --- mint the benchmark tokens through the provider's own models -------------
// Mirrors lib/helpers/grant_common.js issueTokens() for an authorization_code
// grant (accountId/clientId/grantId/scope/gty/authTime, expiresWithSession
// false because offline_access was granted).
async function newGrant(client) {
  const grant = new provider.Grant({ accountId: ACCOUNT.sub, clientId: client.clientId });
  grant.addOIDCScope('openid email profile offline_access');
  return grant.save();
}

const app = await provider.Client.find('app');
const cc = await provider.Client.find('cc');
if (!app || !cc) throw new Error('static clients failed to load');

const now = Math.floor(Date.now() / 1000);

const atGrantId = await newGrant(app);
const accessToken = await new provider.AccessToken({
  accountId: ACCOUNT.sub,
  client: app,
  expiresWithSession: false,
  grantId: atGrantId,
  gty: 'authorization_code',
  scope: 'openid email profile',
}).save();

// One Grant per refresh token: the library revokes the whole grant when a
// consumed refresh token is presented again (reuse detection), so a replay of
// one token must not take the other 199 chains down with it.
const refreshTokens = [];
for (let i = 0; i < refreshCount; i += 1) {
  const grantId = await newGrant(app);
  refreshTokens.push(await new provider.RefreshToken({
    accountId: ACCOUNT.sub,
    authTime: now,
    client: app,
    expiresWithSession: false,
    grantId,
    gty: 'authorization_code',
    iat: now,
    rotations: 0,
    scope: 'openid email profile offline_access',
  }).save());
}
if (new Set(refreshTokens).size !== refreshTokens.length) throw new Error('duplicate refresh tokens');

const ccToken = await new provider.ClientCredentials({ client: cc, scope: 'api' }).save();

store.pinning = false;

// --- serve -------------------------------------------------------------------
const server = provider.listen(port, HOST);
await new Promise((resolve, reject) => {
  server.once('listening', resolve);
  server.once('error', reject);
});

const tmp = `${tokensOut}.tmp-${process.pid}`;
writeFileSync(tmp, `${JSON.stringify({
  access_token: accessToken,
  refresh_tokens: refreshTokens,
  cc_token: ccToken,
}, null, 2)}\n`);
renameSync(tmp, tokensOut);

process.stdout.write(`ready ${ISSUER}\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  });
}
