import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cancelTarget, EncounterStatus, foldEncounter, isOutOfOrder, type FoldEvent } from './encounter-state.js';

const H = 3_600_000;
let nextId = 1;
function ev(type: string, occurredAt: number, payload: Record<string, unknown> = {}, withdrawn = false): FoldEvent {
  return { id: nextId++, type, occurredAt, withdrawnAt: withdrawn ? occurredAt : null, payload };
}

describe('foldEncounter', () => {
  it('admits, transfers and discharges in event-time order', () => {
    const s = foldEncounter([
      ev('admit', 1 * H, { patientClass: 'I', location: '4W/401/A', attending: 'HAYES, ROBERT (2211)', admitTime: 0.5 * H, hospitalService: 'MED', admitSource: '1' }),
      ev('transfer', 2 * H, { location: 'ICU/4/A' }),
      ev('discharge', 3 * H, { disposition: '01', dischargedTo: 'HOME', dischargeTime: 3.2 * H }),
    ]);
    expect(s).toEqual({
      status: 'finished', patientClass: 'I', admittedAt: 0.5 * H, dischargedAt: 3.2 * H, location: 'ICU/4/A', hospitalService: 'MED',
      attending: 'HAYES, ROBERT (2211)', admitSource: '1', dischargeDisposition: '01', dischargedTo: 'HOME',
    });
  });

  it('applies events by when they happened, not by the order they were recorded', () => {
    // The discharge was recorded first (lower id), the admit that happened before it arrived later.
    const discharge = ev('discharge', 5 * H);
    const admit = ev('admit', 1 * H, { location: '3N/312/B' });
    const s = foldEncounter([discharge, admit]);
    expect(s.status).toBe('finished');
    expect(s.admittedAt).toBe(1 * H);
    expect(s.dischargedAt).toBe(5 * H);
    // A transfer that happened before the discharge but arrived after it: the location it set stays.
    expect(foldEncounter([admit, discharge, ev('transfer', 3 * H, { location: 'ICU/1' })]).location).toBe('ICU/1');
  });

  it('breaks ties of event time by id', () => {
    const a = ev('discharge', 2 * H);
    const b = ev('admit', 2 * H);
    expect(foldEncounter([b, a]).status).toBe('in-progress');
  });

  it('is the same whatever the order of its input', () => {
    const events = [ev('pre-admit', 0), ev('admit', 1 * H, { location: 'A' }), ev('transfer', 2 * H, { location: 'B' }), ev('discharge', 3 * H)];
    fc.assert(fc.property(fc.shuffledSubarray(events, { minLength: events.length }), (shuffled) => {
      expect(foldEncounter(shuffled)).toEqual(foldEncounter(events));
    }));
  });

  it('ignores withdrawn events: a cancelled discharge leaves the encounter in progress', () => {
    const s = foldEncounter([ev('admit', 1 * H), ev('discharge', 2 * H, { disposition: '01' }, true), ev('cancel-discharge', 3 * H, { matched: true })]);
    expect(s).toMatchObject({ status: 'in-progress', dischargedAt: null, dischargeDisposition: null });
  });

  it('cancels an admit: cancelled, no admission time', () => {
    const s = foldEncounter([ev('admit', 1 * H, { location: 'A' }, true), ev('cancel-admit', 2 * H, { matched: true })]);
    expect(s).toMatchObject({ status: 'cancelled', admittedAt: null });
  });

  it('keeps a cancelled admit cancelled when later visit events arrive, until a new admit', () => {
    const base = [ev('admit', 1 * H, {}, true), ev('cancel-admit', 2 * H, { matched: true }), ev('transfer', 3 * H, { location: 'B' })];
    expect(foldEncounter(base).status).toBe('cancelled');
    expect(foldEncounter([...base, ev('admit', 4 * H)])).toMatchObject({ status: 'in-progress', admittedAt: 4 * H });
  });

  it('reverts the location when a transfer is withdrawn', () => {
    const s = foldEncounter([ev('admit', 1 * H, { location: '4W/401/A' }), ev('transfer', 2 * H, { location: 'ICU/4/A' }, true), ev('cancel-transfer', 3 * H, { matched: true })]);
    expect(s).toMatchObject({ status: 'in-progress', location: '4W/401/A' });
  });

  it('plans a pre-admit, never steps an admitted encounter back, and cancels a withdrawn pre-admit', () => {
    expect(foldEncounter([ev('pre-admit', 1 * H, { pendingLocation: '5E/1' })])).toMatchObject({ status: 'planned', location: '5E/1' });
    expect(foldEncounter([ev('admit', 1 * H), ev('pre-admit', 2 * H)]).status).toBe('in-progress');
    expect(foldEncounter([ev('pre-admit', 1 * H, {}, true), ev('cancel-pre-admit', 2 * H, { matched: true })]).status).toBe('cancelled');
  });

  it('gives a cancel that matched nothing no effect', () => {
    const events = [ev('pre-admit', 1 * H), ev('cancel-admit', 2 * H, { matched: false })];
    expect(foldEncounter(events).status).toBe('planned');
    expect(foldEncounter([ev('admit', 1 * H), ev('discharge', 2 * H), ev('cancel-discharge', 3 * H, { matched: false })]).status).toBe('finished');
  });

  it('changes the class on A06/A07 and reopens a finished encounter on a later admit', () => {
    expect(foldEncounter([ev('registration', 1 * H, { patientClass: 'O' }), ev('class-change', 2 * H, { patientClass: 'I' })])).toMatchObject({ status: 'in-progress', patientClass: 'I' });
    expect(foldEncounter([ev('admit', 1 * H), ev('discharge', 2 * H, { disposition: '01' }), ev('admit', 3 * H)])).toMatchObject({ status: 'in-progress', admittedAt: 3 * H, dischargedAt: null, dischargeDisposition: null });
  });

  it('derives the status of an encounter first seen in an update from its visit times', () => {
    expect(foldEncounter([ev('visit-update', 1 * H, { admitTime: 0 })])).toMatchObject({ status: 'in-progress', admittedAt: 0 });
    expect(foldEncounter([ev('visit-update', 1 * H, { admitTime: 0, dischargeTime: H })])).toMatchObject({ status: 'finished', dischargedAt: H });
    expect(foldEncounter([ev('admit', 0), ev('visit-update', 1 * H, { attending: 'KIM (1)' })])).toMatchObject({ status: 'in-progress', attending: 'KIM (1)' });
  });

  it('is cancelled when nothing is left', () => {
    expect(foldEncounter([])).toMatchObject({ status: EncounterStatus.Cancelled });
    expect(foldEncounter([ev('registration', 1 * H, {}, true)]).status).toBe('cancelled');
  });

  it('keeps an admission time of a repeated admit without PV1-44', () => {
    expect(foldEncounter([ev('admit', 1 * H), ev('admit', 2 * H, { location: 'B' })])).toMatchObject({ admittedAt: 1 * H, location: 'B' });
  });
});

describe('isOutOfOrder and cancelTarget', () => {
  it('flags an event when a not withdrawn one happened later', () => {
    const events = [ev('admit', 1 * H), ev('discharge', 5 * H)];
    expect(isOutOfOrder(events, 3 * H)).toBe(true);
    expect(isOutOfOrder(events, 6 * H)).toBe(false);
    expect(isOutOfOrder([ev('admit', 1 * H), ev('discharge', 5 * H, {}, true)], 3 * H)).toBe(false);
  });

  it('targets the latest not withdrawn event of the cancelled types', () => {
    const first = ev('transfer', 1 * H);
    const second = ev('transfer', 2 * H);
    const withdrawn = ev('transfer', 3 * H, {}, true);
    expect(cancelTarget([second, first, withdrawn, ev('admit', 4 * H)], ['transfer'])?.id).toBe(second.id);
    expect(cancelTarget([withdrawn], ['transfer'])).toBeUndefined();
    const reg = ev('registration', 1 * H);
    expect(cancelTarget([reg], ['admit', 'registration'])?.id).toBe(reg.id);
  });
});
