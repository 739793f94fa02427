import { appendAudit } from '../audit/index.js';
import { endAllSessions, resetMfa, setRoles, userSessions } from '../auth/admin.js';
import { authAuditEntry } from '../auth/audit.js';
import { AuthError } from '../auth/errors.js';
import type { AuthEvent } from '../auth/events.js';
import { resetPassword, setPassword, type AdminActor } from '../auth/password-service.js';
import { idleDeadline } from '../auth/session.js';
import { CareError, getUser, type User } from '../care/index.js';
import { loadConfig, type Config } from '../config.js';
import type { CareDb } from '../store/care/db.js';
import { openStore } from '../store/open.js';
import { CliError, parse } from './args.js';
import { cliActor, osUser } from './audit-calls.js';

/**
 * Sign-in administration: `carecoord user set-password|reset-password|set-role|mfa-reset|sessions|logout-all USER`
 * (USER an id or username), beside a running server. A password is never taken from a flag (it would
 * sit in the shell history and the process list): --password-stdin reads it from stdin, else it is
 * asked twice without echo on a terminal. Bad input exits 2 with its reason.
 */
export const USER_AUTH_COMMANDS: ReadonlySet<string> = new Set(['set-password', 'reset-password', 'set-role', 'mfa-reset', 'sessions', 'logout-all']);

interface Call {
  db: CareDb;
  config: Config;
  user: User;
  values: Record<string, string | boolean | undefined>;
  by: AdminActor;
  now: number;
  json: boolean;
}

const OPTIONS = {
  'data-dir': { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean', default: false }, actor: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false }, 'must-change': { type: 'boolean', default: false }, roles: { type: 'string' },
} as const;

export async function runUserAuth(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, true);
  const [sub, ref] = positionals;
  const run = sub ? SUBS[sub] : undefined;
  if (!run) throw new CliError(`user needs a sub-command: ${[...USER_AUTH_COMMANDS].join(', ')}`);
  if (!ref) throw new CliError(`user ${sub} USER: name the user (an id or username)`);
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const db = store.db;
    const user = await getUser(db, /^\d+$/.test(ref) ? Number(ref) : ref);
    // Each change: a care_change row and an audit entry (source cli, the command and OS login as the other CLI verbs record).
    const emit = async (e: AuthEvent, trx: CareDb) => {
      const entry = authAuditEntry(e);
      await appendAudit(trx, { ...entry, detail: { ...entry.detail, command: `user ${sub}`, osUser: osUser() } });
    };
    const by: AdminActor = { actor: cliActor(values.actor), emit };
    return await run({ db, config, user, values, by, now: Date.now(), json: values.json });
  } catch (err) {
    if (err instanceof CareError || err instanceof AuthError) throw new CliError(err.message, { usageHint: false });
    throw err;
  } finally {
    await store.close();
  }
}

const SUBS: Record<string, (c: Call) => Promise<number>> = {
  async 'set-password'(c) {
    if (!c.values['password-stdin'] && !process.stdin.isTTY) throw new CliError('stdin is not a terminal: add --password-stdin to read the password from it');
    const password = c.values['password-stdin'] ? await passwordFromStdin(c) : await promptTwice();
    const ended = await setPassword(c.db, c.user.id, password, { mustChange: c.values['must-change'] === true }, c.now, c.by);
    return out(c, { userId: c.user.id, username: c.user.username, sessionsEnded: ended },
      `password set for ${c.user.username} (user ${c.user.id})${c.values['must-change'] ? ', to be changed at next sign-in' : ''}; ${ended} session(s) ended\n`);
  },
  async 'reset-password'(c) {
    const r = await resetPassword(c.db, c.user.id, c.now, c.by);
    return out(c, { userId: c.user.id, username: c.user.username, oneTimePassword: r.oneTimePassword, sessionsEnded: r.sessionsEnded },
      `one-time password for ${c.user.username} (shown once; to be changed at next sign-in): ${r.oneTimePassword}\n${r.sessionsEnded} session(s) ended\n`);
  },
  async 'set-role'(c) {
    const roles = String(c.values.roles ?? '').split(',').map((r) => r.trim()).filter(Boolean);
    if (roles.length === 0) throw new CliError('user set-role USER --roles R[,R...] replaces the roles');
    const u = await setRoles(c.db, c.user.id, roles, c.now, c.by);
    return out(c, { userId: u.userId, username: u.username, roles: u.roles }, `${u.username} now has roles ${u.roles.join(', ')}\n`);
  },
  async 'mfa-reset'(c) {
    const ended = await resetMfa(c.db, c.user.id, c.now, c.by);
    return out(c, { userId: c.user.id, username: c.user.username, sessionsEnded: ended },
      `TOTP enrolment removed for ${c.user.username}; ${ended} session(s) ended${c.user.roles.includes('admin') ? '; they enrol again at next sign-in' : ''}\n`);
  },
  async sessions(c) {
    const list = await userSessions(c.db, c.user.id);
    const rows = list.map((s) => ({ id: s.id, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, idleExpiresAt: idleDeadline(s, c.config.auth), expiresAt: s.expiresAt, ip: s.ip, userAgent: s.userAgent }));
    if (c.json) return out(c, rows, '');
    const when = (ms: number) => `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
    const table = [['ID', 'STARTED', 'LAST SEEN', 'IDLE UNTIL', 'EXPIRES', 'IP', 'USER AGENT'],
      ...rows.map((r) => [String(r.id), when(r.createdAt), when(r.lastSeenAt), `${when(r.idleExpiresAt)}${r.idleExpiresAt <= c.now ? ' (timed out)' : ''}`, when(r.expiresAt), r.ip ?? '-', r.userAgent ?? '-'])];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    process.stdout.write(table.map((r) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + `\n${rows.length === 0 ? '(no open sessions)\n' : ''}`);
    return 0;
  },
  async 'logout-all'(c) {
    const ended = await endAllSessions(c.db, c.user.id, c.now, c.by);
    return out(c, { userId: c.user.id, username: c.user.username, sessionsEnded: ended }, `${ended} session(s) of ${c.user.username} ended\n`);
  },
};

function out(c: Call, json: unknown, human: string): number {
  if (c.json) for (const item of Array.isArray(json) ? json : [json]) process.stdout.write(`${JSON.stringify(item)}\n`);
  else process.stdout.write(human);
  return 0;
}

/** The whole of stdin, without one trailing line break (`printf '%s\n' "$PW" | carecoord user set-password admin --password-stdin`). */
async function passwordFromStdin(c: Call): Promise<string> {
  if (process.stdin.isTTY) return promptTwice();
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password === '') throw new CliError(`user set-password ${c.user.username}: stdin held no password`);
  return password;
}

async function promptTwice(): Promise<string> {
  const first = await promptHidden('New password: ');
  if ((await promptHidden('Again: ')) !== first) throw new CliError('the two passwords differ', { usageHint: false });
  return first;
}

/** Read one line from the terminal in raw mode, echoing nothing. Ctrl-C cancels. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (result: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new CliError('cancelled', { usageHint: false })));
        value = ch === '\u007f' || ch === '\b' ? [...value].slice(0, -1).join('') : value + ch;
      }
    };
    stdin.on('data', onData);
  });
}
