import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { disableUser } from '../src/care/user-service.js';
import type { AuthConfig } from '../src/config.js';
import { tokenHash } from '../src/auth/session.js';
import { addUserWithPassword, authConfig, AuthClient, GOOD_PASSWORD, startAuthServer, type AuthServer } from '../src/auth/testing.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GENERIC_401 = { error: { code: 'auth.invalid_credentials', message: 'username, password or code is not valid' } };

describe.each(DIALECTS)('sign-in over HTTP on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: AuthServer | undefined;
  const start = async (overrides: Partial<AuthConfig> = {}) => (server = await startAuthServer(ctx.store.db, authConfig(overrides)));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('signs a user in with a session cookie and a CSRF token, and the session identifies them on a protected route', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start());
    const r = await client.login('coord1', GOOD_PASSWORD);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      user: { id, username: 'coord1', displayName: 'COORD1', roles: ['coordinator'] },
      access: 'full', mfaRequired: false, enrolmentRequired: false, passwordChangeRequired: false, idleTimeoutSeconds: 900,
    });
    expect(r.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(r.body.expiresAt) - Date.parse(r.body.idleExpiresAt)).toBe(12 * 3_600_000 - 15 * 60_000);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const me = await client.get('/api/test/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual({ id, username: 'coord1', roles: ['coordinator'], sessionId: expect.any(Number) });
    expect(server!.events.map((e) => e.type)).toEqual(['auth.login']);
  });

  it('accepts the username in any case and refuses a protected route without a session', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start());
    expect((await client.get('/api/test/me')).body).toEqual({ error: { code: 'auth.unauthenticated', message: 'sign in first' } });
    expect((await client.login('Coord1', GOOD_PASSWORD)).status).toBe(200);
  });

  it('gives a wrong password, an unknown user, a disabled user and a user without password the same 401', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const gone = await addUserWithPassword(ctx.store.db, 'gone1', ['coordinator']);
    await disableUser(ctx.store.db, gone, Date.now(), 'admin:test');
    const { addUser } = await import('../src/care/user-service.js');
    await addUser(ctx.store.db, { username: 'nopass', displayName: 'No Pass', roles: ['coordinator'] }, Date.now(), 'admin:test');
    const client = new AuthClient(await start());
    for (const [user, password] of [['coord1', 'wrong password here'], ['nobody', GOOD_PASSWORD], ['gone1', GOOD_PASSWORD], ['nopass', GOOD_PASSWORD]] as const) {
      const r = await client.login(user, password);
      expect({ user, status: r.status, body: r.body, cookies: r.setCookies }).toEqual({ user, status: 401, body: GENERIC_401, cookies: [] });
    }
    expect(server!.events.map((e) => [e.type, e.username, e.reason])).toEqual([
      ['auth.login-failed', 'coord1', 'wrong-password'], ['auth.login-failed', null, 'unknown-user'],
      ['auth.login-failed', 'gone1', 'disabled'], ['auth.login-failed', 'nopass', 'no-password'],
    ]);
  });

  it('spends the same argon2id work on an unknown username as on a wrong password (median times within a factor of 2)', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start({ maxFailedLogins: 100, loginRatePerIp: 1000, loginRatePerUser: 1000 }));
    const time = async (username: string, i: number) => {
      const t0 = performance.now();
      expect((await client.login(username, `wrong password ${i}`)).status).toBe(401);
      return performance.now() - t0;
    };
    await time('coord1', -1);
    await time('nobody', -1);
    // Interleaved, so warm-up and load affect both alike.
    const samples = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 9; i++) {
      samples.known.push(await time('coord1', i));
      samples.unknown.push(await time('nobody', i));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[4]!;
    const [known, unknown] = [median(samples.known), median(samples.unknown)];
    // Without the dummy hash an unknown user answers in about 1/20 of the time.
    expect(unknown / known).toBeGreaterThan(0.5);
    expect(unknown / known).toBeLessThan(2);
  });

  it('answers malformed input with 400 and a readable message, never a stack trace', async () => {
    const client = new AuthClient(await start());
    const missing = await client.send('POST', '/api/auth/login', { username: 'coord1' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: { code: 'auth.invalid_request', message: "body must have required property 'password'" } });
    const badCode = await client.send('POST', '/api/auth/login', { username: 'a', password: 'b', totp: '12ab56' });
    expect(badCode.body.error.code).toBe('auth.invalid_request');
    expect(badCode.body.error.message).toMatch(/totp/);
    const res = await fetch(`${server!.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text).error.code).toBe('auth.invalid_request');
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
  });

  it('locks an account after 5 failures (423 even with the right password), then lets it in after the period', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start({ lockoutMs: 1500 }));
    for (let i = 0; i < 5; i++) expect((await client.login('coord1', `wrong password ${i}`)).status).toBe(401);
    const locked = await client.login('coord1', GOOD_PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body.error.code).toBe('auth.locked');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(server!.events.filter((e) => e.locked).length).toBe(1);
    await sleep(1600);
    expect((await client.login('coord1', GOOD_PASSWORD)).status).toBe(200);
    const row = await ctx.store.db.selectFrom('app_user').select(['failed_logins', 'locked_until']).where('username', '=', 'coord1').executeTakeFirstOrThrow();
    expect({ failed: Number(row.failed_logins), locked: row.locked_until }).toEqual({ failed: 0, locked: null });
  });

  it('locks an unknown username the same way, so a 423 does not tell which usernames exist', async () => {
    const client = new AuthClient(await start());
    for (let i = 0; i < 5; i++) expect((await client.login('nobody', `wrong password ${i}`)).status).toBe(401);
    expect((await client.login('nobody', GOOD_PASSWORD)).status).toBe(423);
  });

  it('rate-limits sign-in attempts per client address (429 with Retry-After)', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start({ loginRatePerIp: 3 }));
    for (const u of ['a1', 'a2', 'a3']) expect((await client.login(u, 'some password')).status).toBe(401);
    const limited = await client.login('coord1', GOOD_PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth.rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('rate-limits sign-in attempts per username', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start({ loginRatePerUser: 2, maxFailedLogins: 100 }));
    for (let i = 0; i < 2; i++) expect((await client.login('coord1', 'wrong password!')).status).toBe(401);
    expect((await client.login('COORD1', GOOD_PASSWORD)).status).toBe(429);
    expect((await client.login('other', 'wrong password!')).status).toBe(401);
  });

  it('sets the cookie HttpOnly, SameSite=Strict, Secure, Path=/ with the __Host- prefix and no lifetime', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const r = await new AuthClient(await start()).login('coord1', GOOD_PASSWORD);
    expect(r.setCookies).toHaveLength(1);
    const [pair, ...attributes] = r.setCookies[0]!.split(/;\s*/);
    expect(pair).toMatch(/^__Host-carecoord_session=[A-Za-z0-9_-]{43}$/);
    expect(attributes.map((a) => a.toLowerCase()).sort()).toEqual(['httponly', 'path=/', 'samesite=strict', 'secure']);
  });

  it('drops Secure and the __Host- prefix only with the insecure development flag', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start({ insecureCookies: true }));
    const r = await client.login('coord1', GOOD_PASSWORD);
    const [pair, ...attributes] = r.setCookies[0]!.split(/;\s*/);
    expect(pair).toMatch(/^carecoord_session=/);
    expect(attributes.map((a) => a.toLowerCase()).sort()).toEqual(['httponly', 'path=/', 'samesite=strict']);
    expect((await client.get('/api/test/me')).status).toBe(200);
  });

  it('stores only the SHA-256 of the session token: the token itself is nowhere in the database', async () => {
    await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    const client = new AuthClient(await start());
    expect((await client.login('coord1', GOOD_PASSWORD)).status).toBe(200);
    const token = client.cookie!;
    const row = await ctx.store.db.selectFrom('session').selectAll().executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(tokenHash(token));
    expect(await databaseText()).not.toContain(token);
    expect(await databaseText()).toContain(tokenHash(token));
  });

  /**
   * Everything the database holds, as text: every row of every table (the SQLite files are encrypted,
   * so their bytes would show nothing either way; test/encryption-e2e covers the files).
   */
  async function databaseText(): Promise<string> {
    if (dialect === 'sqlite') {
      const tables = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`.execute(ctx.store.db);
      const parts: string[] = [];
      for (const t of tables.rows) {
        const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t.name)}`.execute(ctx.store.db);
        parts.push(rows.rows.map((r) => Object.values(r).map(String).join('|')).join('\n'));
      }
      return parts.join('\n');
    }
    const tables = await sql<{ schemaname: string; tablename: string }>`SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'hl7log')`.execute(ctx.store.db);
    const parts: string[] = [];
    for (const t of tables.rows) {
      const r = await sql<{ t: string | null }>`SELECT string_agg(x::text, '|') AS t FROM ${sql.table(`${t.schemaname}.${t.tablename}`)} x`.execute(ctx.store.db);
      parts.push(r.rows[0]?.t ?? '');
    }
    return parts.join('\n');
  }
});
