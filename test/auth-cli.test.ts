import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authConfig, AuthClient, startAuthServer, type AuthServer } from '../src/auth/testing.js';
import { CLI } from './support/child.js';
import { dbEnv, killStrayCli, runCli } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

const PASSWORD = 'a long admin passphrase';

/** Run the built CLI with `stdin` piped in; stdout, stderr and the exit code. */
function runWithStdin(args: string[], stdin: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

describe.each(DIALECTS)('carecoord user sign-in administration (built CLI) on %s', (dialect) => {
  let tdb: TestDatabase;
  let env: Record<string, string>;
  let server: AuthServer | undefined;
  const cc = (...args: string[]) => runCli([...args, '--data-dir', tdb.dataDir, '--actor', 'admin:test'], env);
  const withStdin = (stdin: string, ...args: string[]) => runWithStdin([...args, '--data-dir', tdb.dataDir, '--actor', 'admin:test'], stdin, env);

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    expect((await cc('user', 'add', '--username', 'admin', '--name', 'First Admin', '--roles', 'admin')).code).toBe(0);
  });
  afterEach(async () => {
    killStrayCli();
    await server?.close();
    server = undefined;
    await tdb.cleanup();
  });

  /** Sign in over HTTP against the database the CLI wrote. */
  async function withServer<T>(work: (srv: AuthServer) => Promise<T>): Promise<T> {
    const store = await tdb.open();
    try {
      server = await startAuthServer(store.db, authConfig());
      return await work(server);
    } finally {
      await server?.close();
      server = undefined;
      await store.close();
    }
  }

  it('creates the first admin: set-password reads the password from stdin, and the admin signs in (to enrol TOTP)', async () => {
    const r = await withStdin(`${PASSWORD}\n`, 'user', 'set-password', 'admin', '--password-stdin');
    expect(r).toEqual({ code: 0, stdout: 'password set for admin (user 1); 0 session(s) ended\n', stderr: '' });
    await withServer(async (srv) => {
      const login = await new AuthClient(srv).login('admin', PASSWORD);
      expect(login.body).toMatchObject({ user: { username: 'admin' }, access: 'mfa-enrolment' });
    });
    const store = await tdb.open();
    try {
      const changes = await store.db.selectFrom('care_change').select(['actor', 'action', 'detail']).where('action', '=', 'password-set').execute();
      expect(changes).toEqual([{ actor: 'admin:test', action: 'password-set', detail: '{"mustChange":false,"sessionsEnded":0}' }]);
      const audit = await store.db.selectFrom('audit_log').select(['actor', 'action', 'entity_type', 'entity_id', 'source', 'detail']).where('entity_type', '=', 'user').where('action', '=', 'update').execute();
      expect(audit.map((a) => ({ ...a, detail: JSON.parse(a.detail) }))).toEqual([{
        actor: 'admin:test', action: 'update', entity_type: 'user', entity_id: '1', source: 'cli',
        detail: { change: 'password-set', command: 'user set-password', osUser: expect.any(String) },
      }]);
      const row = await store.db.selectFrom('app_user').select('password_hash').where('username', '=', 'admin').executeTakeFirstOrThrow();
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      await store.close();
    }
  });

  it('refuses a weak password with the policy reason and never echoes it', async () => {
    const r = await withStdin('admin\n', 'user', 'set-password', 'admin', '--password-stdin');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('carecoord: a password needs at least 12 characters; a password cannot be the username\n');
    const common = await withStdin('password1234', 'user', 'set-password', 'admin', '--password-stdin');
    expect(common.stderr).toMatch(/too common/);
  });

  it('does not read a password from a pipe without --password-stdin, and takes none from a flag', async () => {
    const r = await withStdin(`${PASSWORD}\n`, 'user', 'set-password', 'admin');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--password-stdin/);
    const flag = await cc('user', 'set-password', 'admin', '--password', PASSWORD);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--password'/);
  });

  it('reset-password prints a one-time password once, which signs in only to change it', async () => {
    const r = await cc('user', 'reset-password', 'admin', '--json');
    expect(r.code).toBe(0);
    const { oneTimePassword } = JSON.parse(r.stdout) as { oneTimePassword: string };
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    await withServer(async (srv) => {
      expect((await new AuthClient(srv).login('admin', oneTimePassword)).body).toMatchObject({ access: 'password-change', passwordChangeRequired: true });
    });
  });

  it('lists and ends sessions, changes roles and resets TOTP', async () => {
    expect((await withStdin(PASSWORD, 'user', 'set-password', 'admin', '--password-stdin')).code).toBe(0);
    expect((await cc('user', 'add', '--username', 'coord1', '--name', 'C One', '--roles', 'coordinator')).code).toBe(0);
    expect((await withStdin(PASSWORD, 'user', 'set-password', 'coord1', '--password-stdin')).code).toBe(0);
    await withServer(async (srv) => {
      expect((await new AuthClient(srv).login('coord1', PASSWORD)).status).toBe(200);
      expect((await new AuthClient(srv).login('coord1', PASSWORD)).status).toBe(200);
    });
    const listed = await cc('user', 'sessions', 'coord1', '--json');
    expect(listed.stdout.trim().split('\n')).toHaveLength(2);
    expect(JSON.parse(listed.stdout.split('\n')[0]!)).toMatchObject({ ip: '127.0.0.1', userAgent: expect.any(String) });
    expect((await cc('user', 'sessions', 'coord1')).stdout).toMatch(/^ID +STARTED +LAST SEEN +IDLE UNTIL +EXPIRES +IP +USER AGENT\n/);
    expect((await cc('user', 'logout-all', 'coord1')).stdout).toBe('2 session(s) of coord1 ended\n');
    expect((await cc('user', 'sessions', 'coord1')).stdout).toMatch(/\(no open sessions\)/);

    expect((await cc('user', 'set-role', 'coord1', '--roles', 'coordinator,supervisor')).stdout).toBe('coord1 now has roles coordinator, supervisor\n');
    const lastAdmin = await cc('user', 'set-role', 'admin', '--roles', 'coordinator');
    expect(lastAdmin.code).toBe(2);
    expect(lastAdmin.stderr).toMatch(/only active administrator/);
    expect((await cc('user', 'mfa-reset', 'admin')).stdout).toBe('TOTP enrolment removed for admin; 0 session(s) ended; they enrol again at next sign-in\n');
    expect((await cc('user', 'mfa-reset', 'nobody')).stderr).toBe('carecoord: user nobody does not exist\n');
  });
});
