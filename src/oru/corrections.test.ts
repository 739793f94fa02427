import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCorrection } from './corrections.js';

describe('planCorrection (HL7 table 0085)', () => {
  it('lets a corrected or final result supersede the earlier ones in effect', () => {
    expect(planCorrection('C', [{ id: 7, resultStatus: 'F' }])).toEqual({ kind: 'supersede', replaces: [7], inheritFrom: null });
    expect(planCorrection('F', [{ id: 3, resultStatus: 'P' }])).toEqual({ kind: 'supersede', replaces: [3], inheritFrom: null });
    expect(planCorrection('F', [{ id: 3, resultStatus: 'F' }])).toEqual({ kind: 'supersede', replaces: [3], inheritFrom: null });
    expect(planCorrection('P', [{ id: 3, resultStatus: 'P' }])).toEqual({ kind: 'supersede', replaces: [3], inheritFrom: null });
    expect(planCorrection('X', [{ id: 3, resultStatus: 'P' }])).toEqual({ kind: 'supersede', replaces: [3], inheritFrom: null });
    expect(planCorrection(null, [])).toEqual({ kind: 'supersede', replaces: [], inheritFrom: null });
  });

  it('withdraws the earlier results on W (wrong patient) and D (delete)', () => {
    expect(planCorrection('W', [{ id: 9, resultStatus: 'F' }, { id: 4, resultStatus: 'C' }])).toEqual({ kind: 'withdraw', withdraws: [4, 9] });
    expect(planCorrection('d', [])).toEqual({ kind: 'withdraw', withdraws: [] });
  });

  it('never lets a late preliminary hide a final', () => {
    expect(planCorrection('P', [{ id: 5, resultStatus: 'F' }])).toEqual({ kind: 'late', supersededBy: 5 });
    expect(planCorrection('R', [{ id: 5, resultStatus: 'C' }, { id: 8, resultStatus: 'F' }])).toEqual({ kind: 'late', supersededBy: 8 });
  });

  it('finalises a preliminary with U, taking its value', () => {
    expect(planCorrection('U', [{ id: 5, resultStatus: 'P' }])).toEqual({ kind: 'supersede', replaces: [5], inheritFrom: 5 });
    expect(planCorrection('U', [])).toEqual({ kind: 'supersede', replaces: [], inheritFrom: null });
  });

  it('always accounts for every earlier result exactly once', () => {
    const status = fc.constantFrom('F', 'C', 'P', 'R', 'S', 'I', 'X', 'W', 'D', 'U', 'A', '', null);
    const earlier = fc.uniqueArray(fc.record({ id: fc.nat(1000), resultStatus: status }), { selector: (e) => e.id, maxLength: 4 });
    fc.assert(fc.property(status, earlier, (s, e) => {
      const plan = planCorrection(s, e);
      const ids = e.map((x) => x.id).sort((a, b) => a - b);
      if (plan.kind === 'supersede') expect(plan.replaces).toEqual(ids);
      if (plan.kind === 'withdraw') expect(plan.withdraws).toEqual(ids);
      if (plan.kind === 'late') expect(ids).toContain(plan.supersededBy);
    }));
  });
});
