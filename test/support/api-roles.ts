import { cookieName } from '../../src/auth/http.js';
import { addUserWithPassword } from '../../src/auth/testing.js';
import { signIn, type ApiClient, type ApiServer } from '../../src/access/testing.js';
import type { CareDb } from '../../src/store/care/db.js';

/** One signed-in client per role (seedWorld's users, plus a supervisor and an interface analyst added here). */
export type RoleClients = Record<string, ApiClient>;

/** The usernames of seedWorld per role. */
const SEEDED: Record<string, string> = {
  coordinator: 'coord1', 'field-clinician': 'nurse1', physician: 'doc1', admin: 'root', auditor: 'auditor1', 'privacy-officer': 'privacy1',
};

/** Adds `super1` (supervisor) and `analyst1` (interface-analyst), then signs in one client per role. Call after seedWorld. */
export async function signInEveryRole(db: CareDb, server: ApiServer): Promise<RoleClients> {
  await addUserWithPassword(db, 'super1', ['supervisor']);
  await addUserWithPassword(db, 'analyst1', ['interface-analyst']);
  const names = { ...SEEDED, supervisor: 'super1', 'interface-analyst': 'analyst1' };
  const clients: RoleClients = {};
  for (const [role, username] of Object.entries(names)) clients[role] = await signIn(server, username);
  return clients;
}

/** A request that does not parse the body (CSV, or whatever came back). */
export async function rawRequest(server: ApiServer, client: ApiClient, method: string, path: string, body?: unknown): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (client.cookie) headers.cookie = `${cookieName(server.config)}=${client.cookie}`;
  if (client.csrf) headers['x-csrf-token'] = client.csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

export interface Operation {
  method: string;
  path: string;
  scope: string | undefined;
  permission: string | undefined;
}

/** Every operation of the OpenAPI document, with its x-access-scope and x-permission. */
export async function operations(client: ApiClient): Promise<Operation[]> {
  const doc = (await client.get('/api/openapi.json')).body;
  return Object.entries(doc.paths as Record<string, Record<string, { 'x-access-scope'?: string; 'x-permission'?: string }>>).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, scope: op['x-access-scope'], permission: op['x-permission'] })));
}
