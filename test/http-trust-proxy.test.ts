import { afterEach, describe, expect, it } from 'vitest';
import { API_T0, HOUR, seedWorld, signIn, type ApiServer } from '../src/access/testing.js';
import { authConfig } from '../src/auth/testing.js';
import { runCli } from './support/cli.js';
import { startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

const CLIENT = '203.0.113.7';
const REASON = 'patient collapsed in the waiting room, team unreachable';

/**
 * `serve`'s access settings over real HTTP: CARECOORD_TRUST_PROXY decides whether X-Forwarded-For names
 * the client (request.ip, the audited "from where"), CARECOORD_BREAK_GLASS_HOURS how long a grant lasts.
 */
describe.each(DIALECTS)('serve behind a reverse proxy, %s', (dialect) => {
  let tp: TestPlatform | undefined;
  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  async function start(env: Record<string, string>): Promise<ApiServer> {
    tp = await startTestPlatform(dialect, env);
    await seedWorld(tp.platform.store.db);
    return { url: `http://127.0.0.1:${tp.platform.httpPort}`, config: authConfig(), clock: { now: API_T0 }, breakGlassMs: 0, close: async () => {} };
  }

  /** Sign in and break the glass through the "proxy" (the test itself on 127.0.0.1, adding X-Forwarded-For). */
  async function throughProxy(server: ApiServer, patientId: number) {
    const doctor = await signIn(server, 'doc1');
    const headers = { 'x-forwarded-for': CLIENT };
    const login = await doctor.send('POST', '/api/auth/login', { username: 'doc1', password: 'correct horse battery staple' }, headers);
    expect(login.status).toBe(200);
    doctor.csrf = login.body.csrfToken;
    const grant = await doctor.send('POST', `/api/patients/${patientId}/break-glass`, { reason: REASON }, headers);
    expect(grant.status).toBe(201);
    const db = tp!.platform.store.db;
    const rows = await db.selectFrom('audit_log').select(['action', 'source']).where('actor', '=', 'doc1').orderBy('id', 'desc').limit(2).execute();
    return { grant: grant.body.grant, audited: Object.fromEntries(rows.map((r) => [r.action, r.source])) };
  }

  it('ignores X-Forwarded-For by default: the audit names the connecting address', async () => {
    const server = await start({});
    const patientId = Number((await tp!.platform.store.db.selectFrom('patient').select('id').orderBy('id').executeTakeFirstOrThrow()).id);
    const { grant, audited } = await throughProxy(server, patientId);
    expect(audited).toEqual({ login: '127.0.0.1', 'break-glass': '127.0.0.1' });
    expect(grant.source).toBe('127.0.0.1');
    // CARECOORD_BREAK_GLASS_HOURS unset: 4 hours.
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)).toBe(4 * HOUR);
  });

  it('takes the client address from X-Forwarded-For sent by a trusted proxy, and the grant length from the environment', async () => {
    const server = await start({ CARECOORD_TRUST_PROXY: '127.0.0.1/32, ::1', CARECOORD_BREAK_GLASS_HOURS: '2' });
    const patientId = Number((await tp!.platform.store.db.selectFrom('patient').select('id').orderBy('id').executeTakeFirstOrThrow()).id);
    const { grant, audited } = await throughProxy(server, patientId);
    expect(audited).toEqual({ login: CLIENT, 'break-glass': CLIENT });
    expect(grant.source).toBe(CLIENT);
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.grantedAt)).toBe(2 * HOUR);
  });

  it('does not believe a proxy that is not listed', async () => {
    const server = await start({ CARECOORD_TRUST_PROXY: '10.0.0.0/8' });
    const patientId = Number((await tp!.platform.store.db.selectFrom('patient').select('id').orderBy('id').executeTakeFirstOrThrow()).id);
    const { audited } = await throughProxy(server, patientId);
    expect(audited).toEqual({ login: '127.0.0.1', 'break-glass': '127.0.0.1' });
  });
});

describe('serve refuses bad access settings at startup', () => {
  it('names the variable and exits non-zero', async () => {
    const bad: Record<string, string>[] = [{ CARECOORD_BREAK_GLASS_HOURS: 'four' }, { CARECOORD_TRUST_PROXY: 'true' }];
    for (const env of bad) {
      const r = await runCli(['serve'], { ...env, CARECOORD_HTTP_TLS: 'off' }, 20_000);
      expect(r.code, JSON.stringify(env)).not.toBe(0);
      expect(r.stderr).toContain(Object.keys(env)[0]);
    }
  });
});
