import type { CareDb } from '../store/care/db.js';
import { insertTestPatient } from '../store/care/test-fixtures.js';
import { createEpisode } from './episode-service.js';
import type { CareEpisode } from './episode.js';
import { addUser } from './user-service.js';
import type { User } from './user.js';

/** Test helpers for the care services: a fixed clock and a small staff. Tests only. */
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 2026-12-01 09:00 UTC. */
export const T0 = Date.UTC(2026, 11, 1, 9);
export const ADMIN = 'admin:test';

export interface Staff {
  coord: User;
  coord2: User;
  doctor: User;
  nurse: User;
  supervisor: User;
}

export async function addStaff(db: CareDb): Promise<Staff> {
  const add = (username: string, roles: string[]) => addUser(db, { username, displayName: username.toUpperCase(), roles }, T0, ADMIN);
  return {
    coord: await add('coord1', ['coordinator']),
    coord2: await add('coord2', ['coordinator', 'supervisor']),
    doctor: await add('doc1', ['physician']),
    nurse: await add('nurse1', ['field-clinician']),
    supervisor: await add('sup1', ['supervisor']),
  };
}

/** A patient with an active home-health episode coordinated by `coordinator`. */
export async function activeEpisode(db: CareDb, coordinator: User, options: { mrn?: string; patientId?: number; startAt?: number } = {}): Promise<CareEpisode> {
  const patientId = options.patientId ?? (await insertTestPatient(db, { mrn: options.mrn }));
  return createEpisode(db, { patientId, type: 'home-health', status: 'active', startAt: options.startAt ?? T0, coordinatorUserId: coordinator.id }, T0, ADMIN);
}
