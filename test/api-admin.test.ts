import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { can, type Permission } from '../src/access/policy.js';
import { seedWorld, signIn, startApiServer, type ApiServer, type ApiWorld } from '../src/access/testing.js';
import { auditReport } from '../src/audit/index.js';
import { USER_ROLES } from '../src/care/user.js';
import { operations, rawRequest, signInEveryRole, type RoleClients } from './support/api-roles.js';
import { DIALECTS, useFreshStore } from './support/stores.js';

/**
 * Role-scoped routes that check their permission inside src/access rather than through roleRoute
 * (and so declare no x-permission). Every other role-scoped route must declare one.
 */
const CHECKED_INSIDE: Record<string, Permission> = {
  'GET /api/break-glass': 'review-break-glass',
  'POST /api/break-glass/{id}/review': 'review-break-glass',
};

/** Paths of this issue's role routes: all must be scope 'role'. */
const ROLE_PATHS = /^\/api\/(admin|messages|identity|audit)([/.]|$)/;
const MISSING_ID = 987_654;

describe.each(DIALECTS)('the admin API on %s', (dialect) => {
  const ctx = useFreshStore(dialect);
  let server: ApiServer;
  let world: ApiWorld;
  let clients: RoleClients;
  beforeEach(async () => {
    world = await seedWorld(ctx.store.db);
    server = await startApiServer(ctx.store.db);
    clients = await signInEveryRole(ctx.store.db, server);
  });
  afterEach(() => server.close());

  const admin = () => clients.admin!;

  it('answers 403 access.forbidden on every role-scoped route to every role without its permission (generated from the OpenAPI document)', async () => {
    const ops = await operations(admin());
    for (const op of ops.filter((o) => ROLE_PATHS.test(o.path))) expect(op.scope, `${op.method} ${op.path}`).toBe('role');
    const roleOps = ops.filter((o) => o.scope === 'role');
    expect(roleOps.length).toBeGreaterThanOrEqual(18);
    for (const op of roleOps) {
      const label = `${op.method} ${op.path}`;
      const permission = (op.permission ?? CHECKED_INSIDE[label]) as Permission | undefined;
      expect(permission, `${label} is role-scoped but declares no x-permission (use roleRoute)`).toBeDefined();
      const path = op.path.replace('{id}', String(MISSING_ID));
      for (const role of USER_ROLES) {
        const r = await rawRequest(server, clients[role]!, op.method, path);
        if (can([role], permission!)) {
          expect(r.status, `${role}: ${label}`).not.toBe(403);
        } else if (op.permission === undefined && r.status === 400) {
          // Checked inside src/access, after the schema: an empty body is refused first (roleRoute checks before validation).
          expect(JSON.parse(r.text).error.code, `${role}: ${label}`).toBe('api.invalid_request');
        } else {
          expect([r.status, JSON.parse(r.text).error.code], `${role}: ${label}`).toEqual([403, 'access.forbidden']);
        }
      }
    }
    // Refusals are in the audit trail.
    const denied = await auditReport(ctx.store.db, { outcome: 'denied', user: 'coord1', limit: 10_000 });
    expect(denied.some((e) => e.entityType === 'access' && e.entityId === 'GET /api/admin/users')).toBe(true);
  });

  it('lists users page by page, each once, filtered by role and status', async () => {
    for (let i = 0; i < 5; i++) expect((await admin().post('/api/admin/users', { username: `staff${i}`, displayName: `Staff ${i}`, roles: ['coordinator'] })).status).toBe(201);
    const seen: number[] = [];
    let cursor: number | null | undefined;
    let pages = 0;
    do {
      const r = await admin().get(`/api/admin/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      seen.push(...r.body.users.map((u: { id: number }) => u.id));
      cursor = r.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.length).toBe(8 + 5);
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(5);
    const coordinators = (await admin().get('/api/admin/users?role=coordinator')).body.users.map((u: { username: string }) => u.username);
    expect(coordinators).toEqual(expect.arrayContaining(['coord1', 'staff0', 'staff4']));
    expect(coordinators).not.toContain('root');
    expect((await admin().get('/api/admin/users?status=disabled')).body.users).toEqual([]);
    expect((await admin().get('/api/admin/users?role=wizard')).status).toBe(400);
  });

  it('adds a user with an initial password that must be changed, never returned; the addition is audited as a permission change', async () => {
    const r = await admin().post('/api/admin/users', { username: 'Jdoe', displayName: 'Jane Doe', email: 'jdoe@example.org', roles: ['physician', 'supervisor'], password: 'a long enough initial secret' });
    expect(r.status).toBe(201);
    expect(r.body.user).toMatchObject({ username: 'jdoe', roles: ['physician', 'supervisor'], status: 'active', hasPassword: true, mustChangePassword: true, mfaEnrolled: false });
    expect(JSON.stringify(r.body)).not.toMatch(/secret|passwordHash|argon2/);
    const login = await rawRequest(server, { cookie: undefined, csrf: undefined } as never, 'POST', '/api/auth/login', { username: 'jdoe', password: 'a long enough initial secret' });
    expect(JSON.parse(login.text).access).toBe('password-change');
    const entries = await auditReport(ctx.store.db, { action: 'permission-change', limit: 100 });
    expect(entries.find((e) => e.entityId === String(r.body.user.id))).toMatchObject({ actor: 'root', userId: world.users.admin, source: '127.0.0.1', outcome: 'success', entityType: 'user' });
    expect((await admin().post('/api/admin/users', { username: 'jdoe', displayName: 'Again', roles: ['physician'] })).body.error.code).toBe('care.conflict');
    // Unknown members are refused with a 400 naming the field (mass assignment), and nothing is created.
    const extra = await admin().post('/api/admin/users', { username: 'x1', displayName: 'X', roles: ['physician'], isAdmin: true });
    expect([extra.status, extra.body.error.code, extra.body.error.message]).toEqual([400, 'api.invalid_request', 'body/isAdmin is not a known field: unknown fields are refused']);
    expect((await admin().get('/api/admin/users?limit=200')).body.users.map((u: { username: string }) => u.username)).not.toContain('x1');
    expect((await admin().post('/api/admin/users', { username: 'x2', displayName: 'X', roles: ['physician'], password: 'short' })).body.error.code).toBe('auth.password_policy');
    expect((await admin().get('/api/admin/users?limit=500')).body.users.map((u: { username: string }) => u.username)).not.toContain('x2');
  });

  it('shows a user; 404 for an unknown one', async () => {
    const r = await admin().get(`/api/admin/users/${world.users.nurse}`);
    expect(r.body.user).toMatchObject({ id: world.users.nurse, username: 'nurse1', roles: ['field-clinician'], hasPassword: true, mustChangePassword: false });
    expect((await admin().get(`/api/admin/users/${MISSING_ID}`)).status).toBe(404);
  });

  it('refuses to disable oneself or to leave no active administrator; disables others, ending their sessions', async () => {
    const self = await admin().post(`/api/admin/users/${world.users.admin}/disable`);
    expect([self.status, self.body.error.code]).toEqual([409, 'auth.self_lockout']);
    const demote = await admin().post(`/api/admin/users/${world.users.admin}/roles`, { roles: ['auditor'] });
    expect([demote.status, demote.body.error.code]).toEqual([409, 'auth.last_administrator']);
    expect((await admin().get(`/api/admin/users/${world.users.admin}`)).body.user.roles).toEqual(['admin']);

    const nurse = clients['field-clinician']!;
    expect((await nurse.get('/api/panel')).status).toBe(200);
    const r = await admin().post(`/api/admin/users/${world.users.nurse}/disable`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ user: { id: world.users.nurse, status: 'disabled' }, endedMemberships: 1 });
    expect((await nurse.get('/api/panel')).status).toBe(401);
    const again = await admin().post(`/api/admin/users/${world.users.nurse}/disable`);
    expect([again.status, again.body.error.code]).toEqual([409, 'care.conflict']);
    const audit = (await auditReport(ctx.store.db, { action: 'permission-change', limit: 100 })).filter((e) => e.entityId === String(world.users.nurse));
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ change: 'disabled', username: 'nurse1' });
  });

  it('sets roles (audited as a permission change, applied at the next request), and lets the last admin go once another exists', async () => {
    const r = await admin().post(`/api/admin/users/${world.users.doctor}/roles`, { roles: ['supervisor', 'physician'] });
    expect(r.body.user.roles).toEqual(['physician', 'supervisor']);
    const [entry] = (await auditReport(ctx.store.db, { action: 'permission-change', limit: 100 })).filter((e) => e.entityId === String(world.users.doctor));
    expect(entry).toMatchObject({ actor: 'root', userId: world.users.admin, source: '127.0.0.1' });
    expect(JSON.parse(entry!.detail)).toEqual({ roles: 'physician,supervisor' });
    expect((await admin().post(`/api/admin/users/${world.users.doctor}/roles`, { roles: [] })).status).toBe(400);

    // The auditor becomes an admin: root may now step down, and root's session loses the admin routes at once.
    expect((await admin().post(`/api/admin/users/${world.users.auditor}/roles`, { roles: ['admin'] })).status).toBe(200);
    expect((await admin().post(`/api/admin/users/${world.users.admin}/roles`, { roles: ['auditor'] })).status).toBe(200);
    expect((await admin().get('/api/admin/users')).status).toBe(403);
    expect((await clients.auditor!.get('/api/admin/users')).status).toBe(200);
  });

  it('resets a password (one-time password shown once, not cached), resets TOTP, lists and ends sessions; each audited', async () => {
    const nurse = clients['field-clinician']!;
    const second = await signIn(server, 'nurse1');
    const sessions = await admin().get(`/api/admin/users/${world.users.nurse}/sessions`);
    expect(sessions.body.sessions).toHaveLength(2);
    expect(sessions.body.sessions[0]).toMatchObject({ ip: '127.0.0.1' });
    expect(Object.keys(sessions.body.sessions[0]).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'ip', 'lastSeenAt', 'userAgent']);

    const out = await admin().post(`/api/admin/users/${world.users.nurse}/logout-all`);
    expect(out.body).toEqual({ userId: world.users.nurse, sessionsEnded: 2 });
    expect((await nurse.get('/api/panel')).status).toBe(401);
    expect((await second.get('/api/panel')).status).toBe(401);

    await signIn(server, 'doc1');
    const mfa = await admin().post(`/api/admin/users/${world.users.doctor}/mfa-reset`);
    expect(mfa.body).toEqual({ userId: world.users.doctor, sessionsEnded: 2 });

    const reset = await admin().post(`/api/admin/users/${world.users.coord}/reset-password`);
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    expect(reset.body.oneTimePassword).toMatch(/^\S{12,}$/);
    const login = await rawRequest(server, { cookie: undefined, csrf: undefined } as never, 'POST', '/api/auth/login', { username: 'coord1', password: reset.body.oneTimePassword });
    expect(JSON.parse(login.text).access).toBe('password-change');

    const changes = (await auditReport(ctx.store.db, { user: 'root', action: 'update', limit: 100 })).map((e) => [e.entityId, JSON.parse(e.detail).change, e.source]);
    expect(changes).toEqual(expect.arrayContaining([[String(world.users.doctor), 'mfa-reset', '127.0.0.1'], [String(world.users.coord), 'password-reset', '127.0.0.1']]));
    const logouts = await auditReport(ctx.store.db, { user: 'root', action: 'logout', limit: 100 });
    expect(logouts.filter((e) => JSON.parse(e.detail).user === world.users.nurse)).toHaveLength(2);
    expect(JSON.stringify(await auditReport(ctx.store.db, { limit: 10_000 }))).not.toContain(reset.body.oneTimePassword);
  });
});
