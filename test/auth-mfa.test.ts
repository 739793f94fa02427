import { afterEach, describe, expect, it } from 'vitest';
import { resetMfa } from '../src/auth/admin.js';
import { addUserWithPassword, authConfig, AuthClient, GOOD_PASSWORD, startAuthServer, type AuthServer } from '../src/auth/testing.js';
import { totpCode } from '../src/auth/totp.js';
import type { AuthConfig } from '../src/config.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const STEP = 30_000;
const ADMIN = { actor: 'admin:test', emit: async () => {} };

describe.each(DIALECTS)('TOTP multi-factor over HTTP on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: AuthServer | undefined;
  const start = async (overrides: Partial<AuthConfig> = {}, log?: string[]) =>
    (server = await startAuthServer(ctx.store.db, authConfig(overrides), log ? { log, audit: true } : {}));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** Sign in with the password, enrol and confirm; returns the secret and the client (now with full access). */
  async function enrol(srv: AuthServer, username: string): Promise<{ secret: string; client: AuthClient }> {
    const client = new AuthClient(srv);
    expect((await client.login(username, GOOD_PASSWORD)).status).toBe(200);
    const e = await client.post('/api/auth/mfa/enroll');
    expect(e.status).toBe(200);
    const confirm = await client.post('/api/auth/mfa/confirm', { code: await totpCode(e.body.secret, Date.now()) });
    expect(confirm.status).toBe(200);
    return { secret: e.body.secret, client };
  }

  it('confines an admin without TOTP to enrolment, then requires a code at every sign-in and refuses a replayed code', async () => {
    await addUserWithPassword(ctx.store.db, 'admin', ['admin']);
    const srv = await start();
    const client = new AuthClient(srv);
    const first = await client.login('admin', GOOD_PASSWORD);
    expect(first.body).toMatchObject({ access: 'mfa-enrolment', mfaRequired: true, enrolmentRequired: true });
    expect((await client.get('/api/test/me')).body.error.code).toBe('auth.mfa_enrolment_required');

    const enrolment = await client.post('/api/auth/mfa/enroll');
    expect(enrolment.status).toBe(200);
    const { secret, otpauthUri } = enrolment.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toBe(`otpauth://totp/carecoord:admin?secret=${secret}&issuer=carecoord`);

    expect((await client.post('/api/auth/mfa/confirm', { code: '000000' === (await totpCode(secret, Date.now())) ? '111111' : '000000' })).body.error.code).toBe('auth.invalid_mfa_code');
    const restricted = client.cookie;
    const confirmed = await client.post('/api/auth/mfa/confirm', { code: await totpCode(secret, Date.now()) });
    expect(confirmed.body).toMatchObject({ access: 'full', enrolmentRequired: false });
    expect(client.cookie).not.toBe(restricted);
    expect((await client.get('/api/test/me')).status).toBe(200);
    expect((await client.post('/api/auth/mfa/enroll')).body.error.code).toBe('auth.mfa_already_enrolled');

    const next = new AuthClient(srv);
    const noCode = await next.login('admin', GOOD_PASSWORD);
    expect({ status: noCode.status, code: noCode.body.error.code, cookies: noCode.setCookies }).toEqual({ status: 401, code: 'auth.mfa_required', cookies: [] });
    expect((await next.login('admin', 'not the password', '123456')).body.error.code).toBe('auth.invalid_credentials');
    // The confirmation used the current step: the next step's code (inside the ±1 step window) signs in.
    const code = await totpCode(secret, Date.now() + STEP);
    const ok = await next.login('admin', GOOD_PASSWORD, code);
    expect(ok.body).toMatchObject({ access: 'full', mfaRequired: true });
    const replay = await new AuthClient(srv).login('admin', GOOD_PASSWORD, code);
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 401, body: { error: { code: 'auth.invalid_credentials', message: 'username, password or code is not valid' } } });
    expect(server!.events.map((e) => e.type)).toEqual([
      'auth.login', 'auth.mfa-enrolment-started', 'auth.mfa-enrolled', 'auth.login-failed', 'auth.login', 'auth.login-failed',
    ]);
    expect(server!.events.at(-1)!.reason).toBe('wrong-totp');
  });

  it('refuses codes outside the ±1 step window and counts wrong codes toward the lockout', async () => {
    await addUserWithPassword(ctx.store.db, 'admin', ['admin']);
    const srv = await start({ maxFailedLogins: 3 });
    const { secret } = await enrol(srv, 'admin');
    const client = new AuthClient(srv);
    expect((await client.login('admin', GOOD_PASSWORD, await totpCode(secret, Date.now() - 3 * STEP))).status).toBe(401);
    expect((await client.login('admin', GOOD_PASSWORD, await totpCode(secret, Date.now() + 3 * STEP))).status).toBe(401);
    expect((await client.login('admin', GOOD_PASSWORD, '999999')).status).toBe(401);
    expect((await client.login('admin', GOOD_PASSWORD, await totpCode(secret, Date.now() + STEP))).status).toBe(423);
  });

  it('makes TOTP optional for other roles: once a user enrols, their sign-in asks for it', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const srv = await start();
    const plain = await new AuthClient(srv).login('coord1', GOOD_PASSWORD);
    expect(plain.body).toMatchObject({ access: 'full', mfaRequired: false, enrolmentRequired: false });
    const { secret } = await enrol(srv, 'coord1');
    expect((await new AuthClient(srv).login('coord1', GOOD_PASSWORD)).body.error.code).toBe('auth.mfa_required');
    expect((await new AuthClient(srv).login('coord1', GOOD_PASSWORD, await totpCode(secret, Date.now() + STEP))).status).toBe(200);
  });

  it('requires TOTP for the roles named by CARECOORD_MFA_REQUIRED_ROLES', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const r = await new AuthClient(await start({ mfaRequiredRoles: ['coordinator'] })).login('coord1', GOOD_PASSWORD);
    expect(r.body).toMatchObject({ access: 'mfa-enrolment', enrolmentRequired: true });
  });

  it('lets an administrator reset a lost authenticator: sessions end and the user enrols again', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'admin', ['admin']);
    const srv = await start();
    const { client } = await enrol(srv, 'admin');
    expect(await resetMfa(ctx.store.db, id, Date.now(), ADMIN)).toBe(1);
    expect((await client.get('/api/test/me')).status).toBe(401);
    expect((await new AuthClient(srv).login('admin', GOOD_PASSWORD)).body).toMatchObject({ access: 'mfa-enrolment' });
    const reasons = await ctx.store.db.selectFrom('session').select('end_reason').orderBy('id').execute();
    expect(reasons.map((r) => r.end_reason)).toEqual(['mfa-reset', null]);
  });

  it('never logs or audits the TOTP secret, a code, the password or the session token', async () => {
    await addUserWithPassword(ctx.store.db, 'admin', ['admin']);
    const log: string[] = [];
    const srv = await start({}, log);
    const { secret, client } = await enrol(srv, 'admin');
    const code = await totpCode(secret, Date.now() + STEP);
    const again = new AuthClient(srv);
    expect((await again.login('admin', GOOD_PASSWORD, code)).status).toBe(200);
    await again.login('admin', 'a wrong password', code);
    const audit = await ctx.store.db.selectFrom('audit_log').selectAll().execute();
    expect(audit.map((a) => JSON.parse(a.detail).change).filter(Boolean)).toEqual(['mfa-enrolment-started', 'mfa-enrolled']);
    const text = [...log, ...audit.map((a) => JSON.stringify(a))].join('\n');
    for (const secretValue of [secret, code, GOOD_PASSWORD, client.cookie!, again.cookie!, again.csrf!]) expect(text).not.toContain(secretValue);
  });
});
