// panva/oidc-provider as a reference OpenID provider for the token endpoint benchmark.
//
//   taskset -c 0 node server.mjs 9100        (or PORT=9100 node server.mjs)
//
// Prints `READY <issuer url> pid=<pid>` once it listens. NOT a real deployment: one fixed
// client, one fixed account, an authorization step that logs in and consents with no
// person involved, the default in-memory adapter (nothing survives a restart; its store is
// enlarged, see STORE_ENTRIES), and an RSA key generated at start-up (RSA_BITS, 2048).
//
// Besides oidc-provider's own routes (/auth, /token, /jwks, /.well-known/openid-configuration,
// ...) the same HTTP server answers two benchmark-only routes:
//
//   GET /interaction/<uid>   completes the pending interaction at once: logs the bench account
//                            in and grants every requested scope, then 303s back to
//                            oidc-provider (which then redirects to the client with a code).
//                            It lives under /interaction/<uid> because oidc-provider scopes
//                            its interaction cookie to that path.
//   GET /bench/stats         {"pid", "cpu_user_us", "cpu_system_us", "rss"} of this process,
//                            so the load generator can tell how busy this core was.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';
// oidc-provider's own default adapter (used because `adapter` is not configured), and the
// store it keeps everything in. See STORE_ENTRIES below.
import { setStorage } from 'oidc-provider/lib/adapters/memory_adapter.js';
import QuickLRU from 'quick-lru';

const port = Number(process.argv[2] ?? process.env.PORT ?? 9100);
const host = process.env.HOST ?? '127.0.0.1';
const issuer = `http://${host}:${port}`;
const rsaBits = Number(process.env.RSA_BITS ?? 2048);

// Fixed so the load generator can use its defaults (see load.py --client-id etc.).
const CLIENT_ID = process.env.CLIENT_ID ?? 'bench-client';
const CLIENT_SECRET = process.env.CLIENT_SECRET ?? 'bench-secret-not-for-production';
const REDIRECT_URI = process.env.REDIRECT_URI ?? 'http://127.0.0.1:1/cb';
const ACCOUNT_ID = 'bench-user';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: rsaBits });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: 'bench-rs256',
  alg: 'RS256',
  use: 'sig',
};

const oidcProviderVersion = JSON.parse(readFileSync(
  new URL('../package.json', import.meta.resolve('oidc-provider')),
  'utf8',
)).version;

// The default in-memory adapter keeps everything (sessions, interactions, grants, codes,
// access and refresh tokens) in one QuickLRU of maxSize 1000, which evicts live codes and
// tokens as soon as a few hundred authorizations are outstanding (e.g. the codes minted
// before a code grant run). Same adapter code, bigger store; STORE_ENTRIES=1000 restores the
// stock size. QuickLRU keeps up to twice maxSize entries. Still nothing is durable.
const storeEntries = Number(process.env.STORE_ENTRIES ?? 1_000_000);
setStorage(new QuickLRU({ maxSize: storeEntries }));

const DAY = 24 * 60 * 60;

const configuration = {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [REDIRECT_URI],
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
  ],
  // Only advertise what the client uses. (oidc-provider still accepts client_secret_post
  // from a client registered with client_secret_basic: it treats the two as one method.)
  clientAuthMethods: ['client_secret_basic'],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['bench-cookie-key-not-for-production'] },
  scopes: ['openid', 'offline_access'],
  claims: { openid: ['sub'] },
  pkce: { methods: ['S256'], required: () => true },
  // Rotate the refresh token on every use: the used one is consumed, a new one is issued,
  // and replaying a consumed one revokes the whole grant (the hub's family revocation).
  rotateRefreshToken: true,
  // oidc-provider's default, made explicit: a refresh token comes with the code grant when
  // the client may use refresh_token and `offline_access` was granted (which oidc-provider
  // only keeps when the authorization request has prompt=consent).
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  features: {
    devInteractions: { enabled: false }, // replaced by the /interaction/<uid> route below
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub }),
  }),
  ttl: {
    // Long enough for the load generator to mint all its codes before it uses them
    // (oidc-provider's default is 60 s).
    AuthorizationCode: 10 * 60,
    AccessToken: 60 * 60,
    IdToken: 60 * 60,
    RefreshToken: 14 * DAY,
    Interaction: 60 * 60,
    Session: 14 * DAY,
    Grant: 14 * DAY,
  },
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => {
  console.error('server_error', err);
});

async function completeInteraction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  const accountId = session?.accountId ?? ACCOUNT_ID;

  // A new grant for every authorization, even when the session already has one for this
  // client: each code, and the refresh token chain it starts, then has a grant of its own
  // (oidc-provider revokes a whole grant when a rotated refresh token is replayed, like the
  // hub revokes a token family).
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope ?? 'openid'));
  const grantId = await grant.save();

  const result = { consent: { grantId } };
  if (prompt.name === 'login' || !session) {
    result.login = { accountId };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const oidcCallback = provider.callback();

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const path = req.url.split('?', 1)[0];
  if (req.method === 'GET' && path.startsWith('/interaction/')) {
    completeInteraction(req, res).catch((err) => {
      console.error('interaction failed', err);
      if (!res.headersSent) sendJson(res, 400, { error: String(err?.message ?? err) });
      else res.end();
    });
    return;
  }
  if (req.method === 'GET' && path === '/bench/stats') {
    const cpu = process.cpuUsage();
    sendJson(res, 200, {
      pid: process.pid,
      oidc_provider: oidcProviderVersion,
      node: process.version,
      store_entries: storeEntries,
      cpu_user_us: cpu.user,
      cpu_system_us: cpu.system,
      rss: process.memoryUsage.rss(),
    });
    return;
  }
  oidcCallback(req, res);
});

server.keepAliveTimeout = 60_000;
server.listen(port, host, () => {
  console.log(`READY ${issuer} pid=${process.pid} oidc-provider=${oidcProviderVersion} node=${process.version}`);
});

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
