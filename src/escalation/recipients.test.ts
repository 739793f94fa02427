import { describe, expect, it } from 'vitest';
import { resolveRecipients, type PoolMembers, type TeamSeat } from './recipients.js';

const team: TeamSeat[] = [
  { userId: 1, role: 'care-coordinator', episodeId: 10, isPrimary: true },
  { userId: 2, role: 'care-coordinator', episodeId: 10, isPrimary: false },
  { userId: 3, role: 'primary-physician', episodeId: 10, isPrimary: false },
  { userId: 4, role: 'care-coordinator', episodeId: 11, isPrimary: true },
];
const pools: PoolMembers = { supervisors: [20, 21], onCall: [30], admins: [90] };
const none: PoolMembers = { supervisors: [], onCall: [], admins: [] };

describe('resolveRecipients', () => {
  it('tells the primary coordinator of each active episode and every holder of other roles; no gap', () => {
    const r = resolveRecipients({ roles: ['care-coordinator', 'primary-physician'], pools: [] }, team, pools, 'critical');
    expect(r.recipients).toEqual([
      { userId: 1, role: 'care-coordinator', gap: false, gapReason: null },
      { userId: 4, role: 'care-coordinator', gap: false, gapReason: null },
      { userId: 3, role: 'primary-physician', gap: false, gapReason: null },
    ]);
    expect(r.gaps).toEqual([]);
  });

  it('a vacant role goes to the fallback pool (supervisors, on-call), flagged', () => {
    const r = resolveRecipients({ roles: ['care-coordinator', 'field-clinician'], pools: [] }, team, pools, 'high');
    expect(r.gaps).toEqual([{ kind: 'role-vacant', what: 'field-clinician' }]);
    expect(r.recipients.filter((x) => x.gap)).toEqual([
      { userId: 20, role: 'pool:supervisors', gap: true, gapReason: 'vacant:field-clinician' },
      { userId: 21, role: 'pool:supervisors', gap: true, gapReason: 'vacant:field-clinician' },
      { userId: 30, role: 'pool:on-call', gap: true, gapReason: 'vacant:field-clinician' },
    ]);
    expect(r.recipients.filter((x) => !x.gap).map((x) => x.userId)).toEqual([1, 4]);
  });

  it('a pool named by the level is told without a gap; an empty one is a gap', () => {
    expect(resolveRecipients({ roles: [], pools: ['on-call'] }, [], pools, 'critical')).toMatchObject({ recipients: [{ userId: 30, role: 'pool:on-call', gap: false }], gaps: [] });
    const r = resolveRecipients({ roles: [], pools: ['on-call'] }, [], { ...pools, onCall: [] }, 'critical');
    expect(r.gaps).toEqual([{ kind: 'pool-empty', what: 'on-call' }]);
    expect(r.recipients.map((x) => [x.userId, x.gap])).toEqual([[20, true], [21, true]]);
  });

  it('each user once, first reason wins', () => {
    const r = resolveRecipients({ roles: ['supervisor'], pools: ['supervisors'] }, [{ userId: 20, role: 'supervisor', episodeId: 10, isPrimary: false }], pools, 'medium');
    expect(r.recipients).toEqual([
      { userId: 20, role: 'supervisor', gap: false, gapReason: null },
      { userId: 21, role: 'pool:supervisors', gap: false, gapReason: null },
    ]);
  });

  it('a critical alert never ends with nobody: the admins, flagged', () => {
    const r = resolveRecipients({ roles: ['care-coordinator'], pools: [] }, [], { ...none, admins: [90] }, 'critical');
    expect(r.recipients).toEqual([{ userId: 90, role: 'pool:admins', gap: true, gapReason: 'vacant:care-coordinator' }]);
    expect(r.toAdmins).toBe(true);
    expect(r.gaps.map((g) => g.kind)).toEqual(['role-vacant', 'fallback-empty']);
    // a level naming nobody at all counts too
    expect(resolveRecipients({ roles: [], pools: [] }, [], { ...none, admins: [90] }, 'critical').recipients.map((x) => x.userId)).toEqual([90]);
    // every severity, every empty team: critical always reaches someone when anyone can be reached
    for (const spec of [{ roles: ['care-coordinator' as const], pools: [] }, { roles: [], pools: ['on-call' as const] }, { roles: [], pools: [] }]) {
      for (const p of [pools, { ...none, supervisors: [20] }, { ...none, onCall: [30] }, { ...none, admins: [90] }]) {
        expect(resolveRecipients(spec, [], p, 'critical').recipients.length).toBeGreaterThan(0);
      }
    }
  });

  it('non-critical alerts do not page the admins; nobody at all is a gap', () => {
    const r = resolveRecipients({ roles: ['care-coordinator'], pools: [] }, [], { ...none, admins: [90] }, 'high');
    expect(r.recipients).toEqual([]);
    expect(r.toAdmins).toBe(false);
    expect(r.gaps.at(-1)).toEqual({ kind: 'no-recipient', what: '' });
    expect(resolveRecipients({ roles: [], pools: [] }, [], none, 'critical').gaps.at(-1)).toEqual({ kind: 'no-recipient', what: '' });
  });
});
