import pino from 'pino';
import { buildHttpApp } from '../api/server.js';
import { addUser } from '../care/user-service.js';
import { loadConfig, type AuthConfig } from '../config.js';
import type { CareDb } from '../store/care/db.js';
import type { AuthEvent } from './events.js';
import { setPassword } from './password-service.js';
import { cookieName } from './http.js';

/** Test helpers for auth over real HTTP: a server on 127.0.0.1 port 0 and a cookie-keeping client. Tests only. */

export const GOOD_PASSWORD = 'correct horse battery staple';

/** The default auth config (as from an empty environment) with test values laid over it. */
export const authConfig = (overrides: Partial<AuthConfig> = {}): AuthConfig => ({ ...loadConfig({}).auth, ...overrides });

/** An active user with a password set by "admin:test". */
export async function addUserWithPassword(db: CareDb, username: string, roles: string[], password = GOOD_PASSWORD): Promise<number> {
  const user = await addUser(db, { username, displayName: username.toUpperCase(), roles }, Date.now(), 'admin:test');
  await setPassword(db, user.id, password, { mustChange: false }, Date.now(), { actor: 'admin:test', emit: async () => {} });
  return user.id;
}

export interface AuthServer {
  url: string;
  config: AuthConfig;
  /** Every event given to onAuthEvent, in order. */
  events: AuthEvent[];
  /** How many times the protected test routes' handlers ran. */
  handled: { count: number };
  close(): Promise<void>;
}

/**
 * The real HTTP app (buildHttpApp with the auth plugin), listening on 127.0.0.1:0. Events are
 * collected in `events` instead of audited, unless `audit` (the plugin's default: audit_log).
 * With `log`, every log line (level trace) goes there.
 */
export async function startAuthServer(db: CareDb, config: AuthConfig, options: { log?: string[]; audit?: boolean } = {}): Promise<AuthServer> {
  const events: AuthEvent[] = [];
  const logger = options.log ? pino({ level: 'trace' }, { write: (line: string) => void options.log!.push(line) }) : pino({ level: 'silent' });
  const onAuthEvent = options.audit ? undefined : (e: AuthEvent) => void events.push(e);
  const app = buildHttpApp(logger, { accepting: () => true, details: () => ({}) }, { db, config, ...(onAuthEvent ? { onAuthEvent } : {}) });
  const handled = { count: 0 };
  // Routes as the API engineer will protect them (one onRequest, one preHandler), in a scope with
  // an async onSend hook as later API plugins may add: a refused request never reaches a handler.
  app.register(async (api) => {
    api.addHook('onSend', async () => new Promise<void>((resolve) => setTimeout(resolve, 5)));
    api.get('/api/test/me', { onRequest: api.requireUser, schema: {} }, async (request) => (handled.count++, { user: request.user }));
    api.post('/api/test/echo', { preHandler: api.requireUser, schema: {} }, async (request) => (handled.count++, { user: request.user }));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, config, events, handled, close: () => app.close() };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
  setCookies: string[];
}

/** A browser stand-in: keeps the session cookie it was given and the CSRF token of the last session reply. */
export class AuthClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(private readonly server: AuthServer) {}

  get cookieName(): string {
    return cookieName(this.server.config);
  }

  async login(username: string, password: string, totp?: string): Promise<Reply> {
    return this.send('POST', '/api/auth/login', { username, password, ...(totp ? { totp } : {}) });
  }

  get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  /** A write with the X-CSRF-Token header unless `csrf` is false (or another value). */
  post(path: string, body?: unknown, options: { csrf?: string | false } = {}): Promise<Reply> {
    return this.send('POST', path, body, options);
  }

  async send(method: string, path: string, body?: unknown, options: { csrf?: string | false } = {}): Promise<Reply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = `${this.cookieName}=${this.cookie}`;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    const res = await fetch(`${this.server.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    const setCookies = res.headers.getSetCookie();
    for (const c of setCookies) {
      const [pair] = c.split(';');
      const [name, value] = pair!.split('=');
      if (name === this.cookieName) this.cookie = value === '' ? undefined : value;
    }
    const parsed = text === '' ? undefined : JSON.parse(text);
    if (parsed?.csrfToken) this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed, headers: res.headers, setCookies };
  }
}
