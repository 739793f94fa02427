import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/index.js';
import { addUserWithPassword, authConfig, AuthClient, GOOD_PASSWORD, startAuthServer, type AuthServer } from '../src/auth/testing.js';
import { totpCode } from '../src/auth/totp.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DIALECTS)('authentication in the audit trail on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: AuthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const trail = async () => (await ctx.store.db.selectFrom('audit_log').selectAll().orderBy('id').execute())
    .map((r) => ({ actor: r.actor, userId: r.user_id === null ? null : Number(r.user_id), action: r.action, entity: r.entity_type, outcome: r.outcome, source: r.source, detail: JSON.parse(r.detail) }));

  it('records one entry per sign-in, failed sign-in, TOTP change and sign-out, in a valid chain', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'admin', ['admin']);
    server = await startAuthServer(ctx.store.db, authConfig({ maxFailedLogins: 2 }), { audit: true });
    const client = new AuthClient(server);
    await client.login('admin', GOOD_PASSWORD);
    const { secret } = (await client.post('/api/auth/mfa/enroll')).body;
    await client.post('/api/auth/mfa/confirm', { code: await totpCode(secret, Date.now()) });
    await client.post('/api/auth/logout');
    await new AuthClient(server).login('mistyped-password-here', GOOD_PASSWORD);
    await new AuthClient(server).login('admin', 'wrong password', '123456');
    await new AuthClient(server).login('admin', 'wrong password', '123456');
    await new AuthClient(server).login('admin', GOOD_PASSWORD, await totpCode(secret, Date.now() + 30_000));
    expect(await trail()).toEqual([
      { actor: 'admin', userId: id, action: 'login', entity: 'session', outcome: 'success', source: '127.0.0.1', detail: {} },
      { actor: 'admin', userId: id, action: 'update', entity: 'user', outcome: 'success', source: '127.0.0.1', detail: { change: 'mfa-enrolment-started' } },
      { actor: 'admin', userId: id, action: 'update', entity: 'user', outcome: 'success', source: '127.0.0.1', detail: { change: 'mfa-enrolled' } },
      { actor: 'admin', userId: id, action: 'logout', entity: 'session', outcome: 'success', source: '127.0.0.1', detail: { reason: 'logout' } },
      { actor: 'anonymous', userId: null, action: 'login', entity: 'user', outcome: 'failed', source: '127.0.0.1', detail: { reason: 'unknown-user' } },
      { actor: 'admin', userId: id, action: 'login', entity: 'user', outcome: 'failed', source: '127.0.0.1', detail: { reason: 'wrong-password' } },
      { actor: 'admin', userId: id, action: 'login', entity: 'user', outcome: 'failed', source: '127.0.0.1', detail: { reason: 'wrong-password', locked: true } },
      { actor: 'admin', userId: id, action: 'login', entity: 'user', outcome: 'denied', source: '127.0.0.1', detail: { reason: 'locked' } },
    ]);
    expect(JSON.stringify(await trail())).not.toContain('mistyped-password-here');
    expect((await verifyAuditChain(ctx.store.db)).intact).toBe(true);
  });

  it('records the timeout of a session when it is next presented', async () => {
    const id = await addUserWithPassword(ctx.store.db, 'coord1', ['coordinator']);
    server = await startAuthServer(ctx.store.db, authConfig({ sessionIdleMs: 1000 }), { audit: true });
    const client = new AuthClient(server);
    await client.login('coord1', GOOD_PASSWORD);
    await sleep(1100);
    expect((await client.get('/api/auth/session')).status).toBe(401);
    expect((await trail()).at(-1)).toEqual({ actor: 'coord1', userId: id, action: 'timeout', entity: 'session', outcome: 'success', source: '127.0.0.1', detail: { reason: 'idle-timeout' } });
  });
});
