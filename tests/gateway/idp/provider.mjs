// A real OpenID Connect provider for the members gateway tests: `oidc-provider` (an OpenID
// Certified implementation) with a small set of test users, a `groups` claim, a sign-in page
// with a password, and RP-initiated sign-out. Loopback only.
//
//   node provider.mjs   (configuration from the environment, see below)
//
// KB_IDP_PORT           port on 127.0.0.1 (the issuer is http://127.0.0.1:PORT)
// KB_IDP_CLIENT_ID      the gateway's client id
// KB_IDP_CLIENT_SECRET  its secret (client_secret_basic)
// KB_IDP_REDIRECT_URI   the gateway's callback, e.g. https://members.test/oauth2/callback
// KB_IDP_LOGOUT_URI     where sign-out may return, e.g. https://members.test/
// KB_IDP_SESSION_TTL    seconds a provider session lasts (default 600)
//
// Prints one JSON line per event on stdout: {"event":"ready",...} once listening, then
// {"event":"sign-in",...}, {"event":"refused",...} and {"event":"sign-out",...}.
import crypto from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env('KB_IDP_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const sessionTtl = Number(env('KB_IDP_SESSION_TTL', '600'));

// The test users. Passwords are test fixtures: this provider only ever listens on loopback.
export const USERS = {
  'member@example.com': { password: 'member-pass', name: 'Mia Member', groups: ['kb-members'] },
  'staff@example.com': { password: 'staff-pass', name: 'Sam Staff', groups: ['sales'] },
  'guest@other.example': { password: 'guest-pass', name: 'Gus Guest', groups: ['kb-members'] },
};

const log = (event, data = {}) => process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test-key' };

const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>${title}</title><link rel="icon" href="data:,"></head><body><h1>${title}</h1>${body}</body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('KB_IDP_CLIENT_ID'),
    client_secret: env('KB_IDP_CLIENT_SECRET'),
    redirect_uris: [env('KB_IDP_REDIRECT_URI')],
    post_logout_redirect_uris: [env('KB_IDP_LOGOUT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  ttl: {
    Session: sessionTtl,
    Interaction: 600,
    Grant: sessionTtl,
    AuthorizationCode: 60,
    AccessToken: sessionTtl,
    IdToken: sessionTtl,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource(ctx, form) {
        ctx.body = page('Sign out of the identity provider',
          `${form}<button id="sign-out" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>`);
      },
      postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<p>You are signed out.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The gateway is a first-party application: members are not asked to consent.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: user.name, groups: user.groups };
      },
    };
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Sign-in error', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});
provider.on('end_session.success', () => log('sign-out'));

function loginForm(uid, error = '') {
  return page('Sign in to the identity provider', `${error ? `<p id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}">
<label>Email <input id="email" name="email" type="email" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="sign-in" type="submit">Sign in</button></form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function interaction(req, res) {
  const uid = req.url.split('/')[2];
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const send = (status, html) => {
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(html);
  };
  if (req.method === 'GET') return send(200, loginForm(uid));
  if (req.method !== 'POST') return send(405, page('Method not allowed', ''));
  const form = await readForm(req);
  const email = (form.get('email') || '').trim().toLowerCase();
  const user = USERS[email];
  if (!user || form.get('password') !== user.password) {
    log('refused', { email });
    return send(401, loginForm(uid, 'Wrong email or password.'));
  }
  log('sign-in', { email });
  return provider.interactionFinished(req, res, { login: { accountId: email } },
    { mergeWithLastSubmission: false });
}

// The tests change a user's groups here, as an administrator would in a real provider
// (PUT /test/groups/EMAIL with a JSON list).
async function setGroups(req, res) {
  const email = decodeURIComponent(req.url.slice('/test/groups/'.length));
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const groups = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!USERS[email] || !Array.isArray(groups)) {
    res.writeHead(404);
    res.end();
    return;
  }
  USERS[email].groups = groups;
  log('groups', { email, groups: groups.join(',') });
  res.writeHead(204);
  res.end();
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.method === 'PUT' && req.url.startsWith('/test/groups/')) {
    setGroups(req, res).catch(() => { res.writeHead(400); res.end(); });
    return;
  }
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`interaction failed: ${err.message}`);
    });
    return;
  }
  callback(req, res);
});
server.listen(port, '127.0.0.1', () => log('ready', { issuer }));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
