// Real OAuth2/OIDC server for tests (oidc-provider 9.x): loopback only, auto-approves login+consent,
// public native client, PKCE S256 enforced.  Usage: PORT=0 node oidc-test-server.mjs
// Prints "ISSUER http://127.0.0.1:<port>"; discovery at <issuer>/.well-known/openid-configuration.
// (test-infra.md §3.) With LOG_TOKENS=1 it also prints "TOKEN <kind> <value>" for every access and
// refresh token it issues, so a secrecy test can search everything SyncPilot wrote for them.
import http from 'node:http';
import Provider from 'oidc-provider';
import { generateKeyPair, exportJWK } from 'jose';   // also a dependency of oidc-provider

const server = http.createServer();
await new Promise((r) => server.listen(Number(process.env.PORT || 0), '127.0.0.1', r));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' };
const API = 'urn:syncpilot:test-api';
const API_SCOPES = 'file_content:read file_variables:read file_variables:write';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'syncpilot-desktop',
    application_type: 'native',                  // RFC 8252: http://127.0.0.1 redirect matches ANY port
    token_endpoint_auth_method: 'none',          // public client => PKCE required
    redirect_uris: ['http://127.0.0.1/', 'http://127.0.0.1/callback'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: ['test-only-cookie-key'] },
  scopes: ['openid', 'offline_access'],
  pkce: { required: () => true },                // S256 is the only method allowed by default
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    resourceIndicators: {                        // lets non-OIDC API scopes (Figma-like) be granted
      enabled: true,
      defaultResource: () => API,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: API_SCOPES, audience: API, accessTokenFormat: 'opaque', accessTokenTTL: 3600 }),
    },
  },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'), // skip offline_access+prompt=consent rule
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: 'Test User' }) }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 3600, AuthorizationCode: 60, RefreshToken: 14 * 86400, Grant: 14 * 86400, Interaction: 600, Session: 86400, IdToken: 3600 },
});

// Auto-approve every interaction: logged in as "test-user", all requested scopes granted.
provider.use(async (ctx, next) => {
  if (!/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
  const { prompt, params, session, grantId } = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = session?.accountId ?? 'test-user';
  const grant = grantId ? await provider.Grant.find(grantId) : new provider.Grant({ accountId, clientId: params.client_id });
  const d = prompt.details;
  if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
  if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
  for (const [ind, scopes] of Object.entries(d.missingResourceScopes ?? {})) grant.addResourceScope(ind, scopes.join(' '));
  const result = { login: { accountId }, consent: { grantId: await grant.save() } };
  ctx.status = 303;
  ctx.redirect(await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false }));
});
for (const ev of ['server_error', 'grant.error', 'authorization.error', 'revocation.error'])   // why a request failed
  provider.on(ev, (ctx, err) => console.error(ev, err.error ?? err, '-', err.error_detail ?? err.error_description ?? ''));

// Token responses as the client receives them (test-only logging; see the header comment).
if (process.env.LOG_TOKENS === '1') {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body) return;
    for (const kind of ['access_token', 'refresh_token'])
      if (typeof ctx.body[kind] === 'string') console.log('TOKEN', kind, ctx.body[kind]);
  });
}

server.on('request', provider.callback());
console.log('ISSUER', issuer);
const stop = () => { server.close(() => process.exit(0)); server.closeAllConnections(); };
process.on('SIGTERM', stop); process.on('SIGINT', stop);
// EXIT_WITH_PARENT=1: stop when stdin closes, i.e. when the test that started us is gone, even if it crashed.
if (process.env.EXIT_WITH_PARENT === '1') { process.stdin.on('end', stop); process.stdin.resume(); }
