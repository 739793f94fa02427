import { afterEach, beforeEach, expect } from 'vitest';
import { seedWorld, signIn, startApiServer, type ApiClient, type ApiServer, type ApiWorld } from '../../src/access/testing.js';
import type { Store } from '../../src/store/open.js';

/** The API over real HTTP on the seeded world (src/access/testing.ts), the coordinator signed in. */
export interface ApiFixture {
  server: ApiServer;
  world: ApiWorld;
  /** coord1: primary care coordinator of world.patientId. */
  coord: ApiClient;
}

/**
 * Before each test: seed the world in the fresh store, start the API on a real port and sign coord1
 * in; after each: close the server. Read the fields inside tests (they are replaced per test).
 */
export function useApiWorld(ctx: { readonly store: Store }): ApiFixture {
  const fixture = {} as ApiFixture;
  beforeEach(async () => {
    fixture.world = await seedWorld(ctx.store.db);
    fixture.server = await startApiServer(ctx.store.db);
    fixture.coord = await signIn(fixture.server, 'coord1');
  });
  afterEach(() => fixture.server.close());
  return fixture;
}

/** The reply's body, after checking its status (the body is shown when it differs). */
export function expectStatus(r: { status: number; body: any }, status = 200): any {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  return r.body;
}
