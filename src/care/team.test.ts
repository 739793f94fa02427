import { describe, expect, it } from 'vitest';
import { CareError } from './errors.js';
import { checkRemoveMember, checkUserFitsRole, decideAddMember, validateAssignee, type TeamMember } from './team.js';

const episode = { id: 7, status: 'active' as const };
const member = (id: number, userId: number, role: TeamMember['role'], isPrimary = false): TeamMember => ({ id, episodeId: 7, userId, role, isPrimary, activeFrom: 0, activeTo: null });

function errorOf(fn: () => unknown): CareError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CareError) return err;
    throw err;
  }
  throw new Error('expected a CareError');
}

describe('adding a team member', () => {
  it('makes the first care coordinator primary, later ones not', () => {
    expect(decideAddMember(episode, [], { userId: 1, role: 'care-coordinator', primary: false })).toEqual({ end: [], start: [{ userId: 1, role: 'care-coordinator', isPrimary: true }] });
    expect(decideAddMember(episode, [member(10, 1, 'care-coordinator', true)], { userId: 2, role: 'care-coordinator', primary: false }))
      .toEqual({ end: [], start: [{ userId: 2, role: 'care-coordinator', isPrimary: false }] });
  });

  it('demotes the current primary when a new primary is assigned: their primary period ends and a plain one starts', () => {
    expect(decideAddMember(episode, [member(10, 1, 'care-coordinator', true)], { userId: 2, role: 'care-coordinator', primary: true })).toEqual({
      end: [10],
      start: [{ userId: 1, role: 'care-coordinator', isPrimary: false }, { userId: 2, role: 'care-coordinator', isPrimary: true }],
    });
  });

  it('promotes a coordinator already on the team', () => {
    const team = [member(10, 1, 'care-coordinator', true), member(11, 2, 'care-coordinator')];
    expect(decideAddMember(episode, team, { userId: 2, role: 'care-coordinator', primary: true })).toEqual({
      end: [11, 10],
      start: [{ userId: 1, role: 'care-coordinator', isPrimary: false }, { userId: 2, role: 'care-coordinator', isPrimary: true }],
    });
  });

  it('lets one user hold several roles but not the same role twice', () => {
    const team = [member(10, 1, 'care-coordinator', true), member(11, 3, 'field-clinician')];
    expect(decideAddMember(episode, team, { userId: 3, role: 'supervisor', primary: false }).start).toEqual([{ userId: 3, role: 'supervisor', isPrimary: false }]);
    expect(errorOf(() => decideAddMember(episode, team, { userId: 3, role: 'field-clinician', primary: false })).message).toBe('user 3 is already field-clinician on episode 7');
    expect(errorOf(() => decideAddMember(episode, team, { userId: 1, role: 'care-coordinator', primary: true })).code).toBe('care.conflict');
  });

  it('refuses primary for other roles, and any change on a closed episode', () => {
    expect(errorOf(() => decideAddMember(episode, [], { userId: 1, role: 'specialist', primary: true })).field).toBe('primary');
    expect(errorOf(() => decideAddMember({ id: 7, status: 'finished' }, [], { userId: 1, role: 'specialist', primary: false })).code).toBe('care.conflict');
  });

  it('needs an active user holding the matching user role', () => {
    const user = { id: 4, status: 'active' as const, roles: ['physician' as const] };
    expect(() => checkUserFitsRole(user, 'specialist')).not.toThrow();
    expect(errorOf(() => checkUserFitsRole(user, 'care-coordinator')).message).toBe('user 4 cannot be care-coordinator: that needs the user role coordinator');
    expect(errorOf(() => checkUserFitsRole({ ...user, status: 'disabled' }, 'primary-physician')).message).toBe('user 4 is disabled');
  });
});

describe('removing a team member', () => {
  it('refuses the primary coordinator of an active or on-hold episode, allows it on a planned one', () => {
    const primary = member(10, 1, 'care-coordinator', true);
    expect(errorOf(() => checkRemoveMember(episode, primary)).code).toBe('care.conflict');
    expect(errorOf(() => checkRemoveMember({ id: 7, status: 'on-hold' }, primary)).code).toBe('care.conflict');
    expect(() => checkRemoveMember({ id: 7, status: 'planned' }, primary)).not.toThrow();
    expect(() => checkRemoveMember(episode, member(11, 2, 'specialist'))).not.toThrow();
  });

  it('refuses a member already removed', () => {
    expect(errorOf(() => checkRemoveMember(episode, { ...member(11, 2, 'specialist'), activeTo: 5 })).message).toBe('team member 11 was already removed');
  });
});

describe('assignees', () => {
  it('are exactly one of a user or a team role', () => {
    expect(validateAssignee({ userId: 3 })).toEqual({ kind: 'user', userId: 3 });
    expect(validateAssignee({ role: 'field-clinician', userId: null })).toEqual({ kind: 'role', role: 'field-clinician' });
    expect(errorOf(() => validateAssignee({})).field).toBe('assignee');
    expect(errorOf(() => validateAssignee({ userId: 3, role: 'supervisor' })).field).toBe('assignee');
    expect(errorOf(() => validateAssignee({ role: 'coordinator' })).message).toMatch(/^assignee must be one of care-coordinator, /);
  });
});
