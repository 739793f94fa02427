import pino from 'pino';
import type { AlertLifecycle } from '../alerts/lifecycle.js';
import { buildHttpApp } from '../api/server.js';
import type { AuthConfig } from '../config.js';
import { cookieName } from '../auth/http.js';
import { addUserWithPassword, authConfig, GOOD_PASSWORD } from '../auth/testing.js';
import { createEpisode } from '../care/episode-service.js';
import { addGoal, addIntervention } from '../care/plan-service.js';
import { createTask } from '../care/task-service.js';
import { addTeamMember } from '../care/team-service.js';
import type { CareDb } from '../store/care/db.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import { DEFAULT_BREAK_GLASS_MS } from './policy.js';

/** Test helpers for the API over real HTTP: the real app (auth plugin + routes) on 127.0.0.1:0, and a small world. Tests only. */

/** 2026-12-01 09:00 UTC: the access layer's clock starts here (sessions use the real clock). */
export const API_T0 = Date.UTC(2026, 11, 1, 9);
export const HOUR = 3_600_000;

export interface ApiServer {
  url: string;
  config: AuthConfig;
  close(): Promise<void>;
  /** The access layer's clock (break-the-glass expiry); move it with `clock.now += ...`. */
  clock: { now: number };
  breakGlassMs: number;
}

/** buildHttpApp with the auth plugin and the API routes, listening on 127.0.0.1 port 0. */
export async function startApiServer(db: CareDb, options: { breakGlassMs?: number; alerts?: AlertLifecycle } = {}): Promise<ApiServer> {
  const config = authConfig({ mfaRequiredRoles: [], loginRatePerIp: 100_000, loginRatePerUser: 100_000 });
  const clock = { now: API_T0 };
  const breakGlassMs = options.breakGlassMs ?? DEFAULT_BREAK_GLASS_MS;
  const app = buildHttpApp(pino({ level: 'silent' }), { accepting: () => true, details: () => ({}) }, { db, config, onAuthEvent: () => {} }, { now: () => clock.now, breakGlassMs, alerts: options.alerts });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, config, clock, breakGlassMs, close: () => app.close() };
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
}

/** A browser stand-in: the session cookie and CSRF token of its sign-in. */
export class ApiClient {
  cookie: string | undefined;
  csrf: string | undefined;

  constructor(private readonly server: ApiServer) {}

  get(path: string): Promise<Reply> {
    return this.send('GET', path);
  }

  post(path: string, body?: unknown): Promise<Reply> {
    return this.send('POST', path, body);
  }

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (this.cookie) h.cookie = `${cookieName(this.server.config)}=${this.cookie}`;
    if (this.csrf) h['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.server.url}${path}`, { method, headers: h, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [name, value] = c.split(';')[0]!.split('=');
      if (name === cookieName(this.server.config)) this.cookie = value || undefined;
    }
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  }
}

/** A client signed in through the auth plugin's real POST /api/auth/login. */
export async function signIn(server: ApiServer, username: string): Promise<ApiClient> {
  const client = new ApiClient(server);
  const r = await client.post('/api/auth/login', { username, password: GOOD_PASSWORD });
  if (r.status !== 200) throw new Error(`login of ${username} failed: ${r.status} ${JSON.stringify(r.body)}`);
  client.csrf = r.body.csrfToken;
  return client;
}

export interface ApiWorld {
  patientId: number;
  episodeId: number;
  /** Another patient, on nobody's team the tests sign in as. */
  otherPatientId: number;
  users: Record<'coord' | 'nurse' | 'doctor' | 'admin' | 'auditor' | 'privacy', number>;
}

/**
 * Users (password GOOD_PASSWORD): coord (primary coordinator) and nurse on the patient's active
 * episode; doctor (a clinician on no team), admin, auditor, privacy (privacy officer). The patient
 * has an MRN, a goal, an intervention and a task.
 */
export async function seedWorld(db: CareDb): Promise<ApiWorld> {
  const add = (name: string, roles: string[]) => addUserWithPassword(db, name, roles);
  const users = {
    coord: await add('coord1', ['coordinator']),
    nurse: await add('nurse1', ['field-clinician']),
    doctor: await add('doc1', ['physician']),
    admin: await add('root', ['admin']),
    auditor: await add('auditor1', ['auditor']),
    privacy: await add('privacy1', ['privacy-officer']),
  };
  const at = API_T0 - 24 * HOUR;
  const patientId = await insertTestPatient(db, { mrn: 'MRN1' });
  const otherPatientId = await insertTestPatient(db, { mrn: 'MRN2' });
  const episode = await createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: at, coordinatorUserId: users.coord }, at, 'admin:test');
  await addTeamMember(db, episode.id, { userId: users.nurse, role: 'field-clinician' }, at, 'admin:test');
  await addGoal(db, episode.id, { description: 'Walk 100 m unaided' }, at, 'admin:test');
  await addIntervention(db, episode.id, { description: 'Physiotherapy twice a week', discipline: 'PT' }, at, 'admin:test');
  await createTask(db, { patientId, episodeId: episode.id, title: 'Call patient', assigneeUserId: users.nurse }, at, 'admin:test');
  return { patientId, episodeId: episode.id, otherPatientId, users };
}
