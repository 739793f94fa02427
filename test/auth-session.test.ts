import { afterEach, describe, expect, it } from 'vitest';
import { endAllSessions } from '../src/auth/admin.js';
import { resetPassword, setPassword } from '../src/auth/password-service.js';
import { addUserWithPassword, authConfig, AuthClient, GOOD_PASSWORD, startAuthServer, type AuthServer } from '../src/auth/testing.js';
import { disableUser } from '../src/care/user-service.js';
import type { AuthConfig } from '../src/config.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ADMIN = { actor: 'admin:test', emit: async () => {} };

describe.each(DIALECTS)('sessions over HTTP on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: AuthServer | undefined;
  const start = async (overrides: Partial<AuthConfig> = {}) => (server = await startAuthServer(ctx.store.db, authConfig(overrides)));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const endReasons = async () => (await ctx.store.db.selectFrom('session').select(['id', 'end_reason']).orderBy('id').execute()).map((r) => r.end_reason);

  async function signedIn(srv: AuthServer, username = 'coord1'): Promise<AuthClient> {
    const client = new AuthClient(srv);
    expect((await client.login(username, GOOD_PASSWORD)).status).toBe(200);
    return client;
  }

  it('ends a session after the idle timeout and records why', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = await signedIn(await start({ sessionIdleMs: 1000 }));
    await sleep(1300);
    const r = await client.get('/api/test/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('auth.session_expired');
    expect(r.setCookies.join()).toMatch(/__Host-carecoord_session=;/);
    expect(await endReasons()).toEqual(['idle-timeout']);
    expect(server!.events.filter((e) => e.type === 'auth.session-ended').map((e) => e.reason)).toEqual(['idle-timeout']);
  });

  it('slides the idle deadline on authenticated requests; the GET session poll reads it without moving it', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = await signedIn(await start());
    const first = (await client.get('/api/auth/session')).body.idleExpiresAt;
    await sleep(20);
    expect((await client.get('/api/auth/session')).body.idleExpiresAt).toBe(first);
    expect((await client.get('/api/test/me')).status).toBe(200);
    const slid = (await client.get('/api/auth/session')).body.idleExpiresAt;
    expect(Date.parse(slid)).toBeGreaterThan(Date.parse(first));
    await sleep(20);
    const kept = await client.post('/api/auth/session');
    expect(Date.parse(kept.body.idleExpiresAt)).toBeGreaterThan(Date.parse(slid));
  });

  it('ends a session at its absolute lifetime however active it is', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const signedInAt = Date.now();
    const client = await signedIn(await start({ sessionLifetimeMs: 1200 }));
    let r = await client.get('/api/test/me');
    let served = 0;
    for (; r.status === 200 && Date.now() - signedInAt < 10_000; r = await client.get('/api/test/me')) {
      served++;
      await sleep(100);
    }
    expect(served).toBeGreaterThan(0);
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual(1200);
    expect(r.body.error.code).toBe('auth.session_expired');
    expect(await endReasons()).toEqual(['absolute-timeout']);
  });

  it('records the end of a session that times out and is never presented again (the sweep)', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    await signedIn(await start({ sessionIdleMs: 1000 }));
    for (let i = 0; i < 50 && (await endReasons())[0] === null; i++) await sleep(100);
    expect(await endReasons()).toEqual(['idle-timeout']);
  });

  it('logs out: the cookie is cleared and the token no longer works', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = await signedIn(await start());
    const token = client.cookie;
    const r = await client.post('/api/auth/logout');
    expect(r.status).toBe(204);
    expect(client.cookie).toBeUndefined();
    client.cookie = token;
    expect((await client.get('/api/test/me')).body.error.code).toBe('auth.unauthenticated');
    expect(await endReasons()).toEqual(['logout']);
    expect(server!.events.map((e) => e.type)).toEqual(['auth.login', 'auth.logout']);
  });

  it('logs out everywhere: every session of the user ends, another user\'s stays', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    await addUserWithPassword(ctx.store.db, 'coord2', ['coordinator']);
    const srv = await start();
    const [laptop, phone, other] = [await signedIn(srv), await signedIn(srv), await signedIn(srv, 'coord2')];
    const r = await phone.post('/api/auth/logout-all');
    expect(r.body).toEqual({ sessionsEnded: 2 });
    expect((await laptop.get('/api/test/me')).status).toBe(401);
    expect((await other.get('/api/test/me')).status).toBe(200);
    expect(await endReasons()).toEqual(['logout-all', 'logout-all', null]);
  });

  it('requires the session\'s CSRF token on writes, compared exactly; reads need none', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const srv = await start();
    const client = await signedIn(srv);
    const other = await signedIn(srv);
    expect((await client.post('/api/test/echo', {}, { csrf: false })).body.error.code).toBe('auth.csrf_invalid');
    expect((await client.post('/api/test/echo', {}, { csrf: other.csrf! })).status).toBe(403);
    expect((await client.post('/api/test/echo', {}, { csrf: `${client.csrf}x` })).status).toBe(403);
    expect((await client.post('/api/auth/logout', undefined, { csrf: false })).status).toBe(403);
    expect((await new AuthClient(srv).post('/api/test/echo', {}, { csrf: client.csrf! })).body.error.code).toBe('auth.unauthenticated');
    expect(srv.handled.count).toBe(0);
    expect((await client.post('/api/test/echo', {})).status).toBe(200);
    expect((await client.get('/api/test/me')).status).toBe(200);
    expect(srv.handled.count).toBe(2);
    // The GET session reply gives the token again (after a page reload the dashboard has only the cookie).
    expect((await client.get('/api/auth/session')).body.csrfToken).toBe(client.csrf);
  });

  it('ends the sessions of a disabled user', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = await signedIn(await start());
    await disableUser(ctx.store.db, id, Date.now(), 'admin:test');
    expect((await client.get('/api/test/me')).status).toBe(401);
    expect(await endReasons()).toEqual(['disabled']);
  });

  it('ends the sessions when an administrator sets or resets the password; a reset forces a change at next sign-in', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const srv = await start();
    const before = await signedIn(srv);
    await setPassword(ctx.store.db, id, 'another good passphrase', { mustChange: false }, Date.now(), ADMIN);
    expect((await before.get('/api/test/me')).status).toBe(401);
    const { oneTimePassword } = await resetPassword(ctx.store.db, id, Date.now(), ADMIN);
    expect(await endReasons()).toEqual(['password-reset']);

    const client = new AuthClient(srv);
    const login = await client.login('coord1', oneTimePassword);
    expect(login.body).toMatchObject({ access: 'password-change', passwordChangeRequired: true });
    expect((await client.get('/api/test/me')).body.error.code).toBe('auth.password_change_required');
    expect((await client.post('/api/auth/password', { currentPassword: 'not it at all', newPassword: 'a fresh passphrase' })).body.error.code).toBe('auth.wrong_password');
    const weak = await client.post('/api/auth/password', { currentPassword: oneTimePassword, newPassword: 'short' });
    expect(weak.body.error).toEqual({ code: 'auth.password_policy', message: 'a password needs at least 12 characters' });
    const oldToken = client.cookie;
    const changed = await client.post('/api/auth/password', { currentPassword: oneTimePassword, newPassword: 'a fresh passphrase' });
    expect(changed.body).toMatchObject({ access: 'full', passwordChangeRequired: false });
    expect(client.cookie).not.toBe(oldToken);
    expect((await client.get('/api/test/me')).status).toBe(200);
    expect((await new AuthClient(srv).login('coord1', 'a fresh passphrase')).status).toBe(200);
  });

  it('refuses passwords under the policy: short, the username, common', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'administrator', ['coordinator']);
    const set = (p: string) => setPassword(ctx.store.db, id, p, { mustChange: false }, Date.now(), ADMIN);
    await expect(set('elevenchars')).rejects.toMatchObject({ code: 'auth.password_policy' });
    await expect(set('Administrator')).rejects.toThrow(/username/);
    await expect(set('password1234')).rejects.toThrow(/too common/);
  });

  it('lets an administrator end every session of a user', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const srv = await start();
    const client = await signedIn(srv);
    expect(await endAllSessions(ctx.store.db, id, Date.now(), ADMIN)).toBe(1);
    expect((await client.get('/api/test/me')).status).toBe(401);
    expect(await endReasons()).toEqual(['logout-all']);
  });
});
