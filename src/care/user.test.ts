import { describe, expect, it } from 'vitest';
import { CareError } from './errors.js';
import { validateNewUser } from './user.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof CareError && err.code === 'care.invalid_input') return err.field;
    throw err;
  }
  return undefined;
}

describe('a new user', () => {
  it('is normalised: username lower-cased, text trimmed, roles deduplicated and sorted, blanks null', () => {
    expect(validateNewUser({ username: 'J.Doe', displayName: ' Jane Doe ', email: '', phone: '+1 (555) 010-2000', roles: ['physician', 'coordinator', 'physician'] }))
      .toEqual({ username: 'j.doe', displayName: 'Jane Doe', email: null, phone: '+1 (555) 010-2000', roles: ['coordinator', 'physician'] });
  });

  it('refuses a bad username, email, phone, no roles or an unknown role, naming the field', () => {
    const ok = { username: 'jdoe', displayName: 'Jane', roles: ['admin'] };
    expect(fieldOf(() => validateNewUser({ ...ok, username: 'j doe' }))).toBe('username');
    expect(fieldOf(() => validateNewUser({ ...ok, username: 'x' }))).toBe('username');
    expect(fieldOf(() => validateNewUser({ ...ok, displayName: '  ' }))).toBe('displayName');
    expect(fieldOf(() => validateNewUser({ ...ok, email: 'jane@' }))).toBe('email');
    expect(fieldOf(() => validateNewUser({ ...ok, phone: 'call me' }))).toBe('phone');
    expect(fieldOf(() => validateNewUser({ ...ok, roles: [] }))).toBe('roles');
    expect(fieldOf(() => validateNewUser({ ...ok, roles: ['root'] }))).toBe('roles');
  });

  it('lists the roles there are when one is unknown', () => {
    expect(() => validateNewUser({ username: 'jdoe', displayName: 'Jane', roles: ['nurse'] }))
      .toThrow('roles must be one of coordinator, physician, field-clinician, supervisor, admin, auditor, interface-analyst, privacy-officer');
  });
});
