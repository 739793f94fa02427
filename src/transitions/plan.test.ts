import { describe, expect, it } from 'vitest';
import { usFederalCalendar } from './calendar.js';
import { DEFAULT_POLICY, holdReason, isCommunityDischarge, isInpatientAdmission, planDischargeTasks, transitionEpisode, type DischargeFacts, type EpisodeFacts } from './plan.js';
import { decideReminder } from './reminders.js';

const HOUR = 3_600_000;
const chicago = usFederalCalendar('America/Chicago');
const friday = Date.parse('2026-12-04T20:00:00Z'); // Friday 14:00 in Chicago
const discharge = (over: Partial<DischargeFacts> = {}): DischargeFacts => ({ dischargedAt: friday, patientClass: 'I', disposition: '01', died: false, ...over });
const episode = (id: number, type: EpisodeFacts['type'], status: EpisodeFacts['status'] = 'active', startAt = 0): EpisodeFacts => ({ id, type, status, startAt });
const byKind = (tasks: ReturnType<typeof planDischargeTasks>) => Object.fromEntries(tasks.map((t) => [t.kind, t]));

describe('which discharges start a transition of care', () => {
  it('inpatient, emergency and obstetrics stays discharged home do; outpatient visits do not', () => {
    for (const c of ['I', 'E', 'B', 'i']) expect(isCommunityDischarge(discharge({ patientClass: c }), DEFAULT_POLICY)).toBe(true);
    for (const c of ['O', 'R', 'P', null]) expect(isCommunityDischarge(discharge({ patientClass: c }), DEFAULT_POLICY)).toBe(false);
  });

  it('observation counts when the agency names its code', () => {
    expect(isCommunityDischarge(discharge({ patientClass: 'OBS' }), { ...DEFAULT_POLICY, hospitalClasses: ['I', 'E', 'OBS'] })).toBe(true);
  });

  it('death, still a patient, or a transfer to another inpatient facility (SNF, IRF, hospital) do not; home health, hospice at home, AMA, none given do', () => {
    for (const d of ['20', '40', '41', '42', '30', '02', '03', '3', '62', '63', '70']) expect(isCommunityDischarge(discharge({ disposition: d }), DEFAULT_POLICY), d).toBe(false);
    for (const d of ['01', '06', '50', '07', null]) expect(isCommunityDischarge(discharge({ disposition: d }), DEFAULT_POLICY), String(d)).toBe(true);
    expect(isCommunityDischarge(discharge({ died: true }), DEFAULT_POLICY)).toBe(false);
  });

  it('an A01 (any inpatient class or none) and a class change to inpatient are admissions that hold visits; an ED A01 or a registration are not', () => {
    expect(isInpatientAdmission('admit', 'I', DEFAULT_POLICY)).toBe(true);
    expect(isInpatientAdmission('admit', null, DEFAULT_POLICY)).toBe(true);
    expect(isInpatientAdmission('admit', 'E', DEFAULT_POLICY)).toBe(false);
    expect(isInpatientAdmission('class-change', 'I', DEFAULT_POLICY)).toBe(true);
    expect(isInpatientAdmission('class-change', 'O', DEFAULT_POLICY)).toBe(false);
    expect(isInpatientAdmission('registration', 'I', DEFAULT_POLICY)).toBe(false);
  });

  it('the hold reason names the stay', () => {
    expect(holdReason(42)).toBe('inpatient stay (encounter 42)');
  });
});

describe('transition-of-care tasks for a discharge', () => {
  it('nothing without an active or on-hold episode', () => {
    expect(planDischargeTasks(discharge(), [], DEFAULT_POLICY, chicago, friday)).toEqual([]);
    expect(planDischargeTasks(discharge(), [episode(1, 'chronic-disease', 'finished'), episode(2, 'post-acute', 'planned')], DEFAULT_POLICY, chicago, friday)).toEqual([]);
  });

  it('a Friday discharge, moderate complexity: contact by the end of Tuesday, visit and medication reconciliation by the end of the 14th day (Chicago days)', () => {
    const tasks = byKind(planDischargeTasks(discharge(), [episode(7, 'chronic-disease')], DEFAULT_POLICY, chicago, friday));
    expect(Object.keys(tasks).sort()).toEqual(['face-to-face', 'interactive-contact', 'medication-reconciliation']);
    expect(tasks['interactive-contact']).toMatchObject({ role: 'care-coordinator', episodeId: 7, priority: 'high', dueAt: Date.parse('2026-12-09T05:59:59.999Z') });
    expect(tasks['face-to-face']).toMatchObject({ role: 'care-coordinator', dueAt: Date.parse('2026-12-19T05:59:59.999Z') });
    expect(tasks['face-to-face']!.title).toContain('14 days');
    expect(tasks['medication-reconciliation']).toMatchObject({ role: 'care-coordinator', dueAt: tasks['face-to-face']!.dueAt });
  });

  it('high complexity (CPT 99496) gives the visit 7 days', () => {
    const tasks = byKind(planDischargeTasks(discharge(), [episode(7, 'chronic-disease')], { ...DEFAULT_POLICY, complexity: 'high' }, chicago, friday));
    expect(tasks['face-to-face']!.dueAt).toBe(Date.parse('2026-12-12T05:59:59.999Z'));
    expect(tasks['face-to-face']!.description).toContain('99496');
  });

  it('across Christmas and New Year: a discharge on Wednesday 2026-12-23 owes the contact by Monday 12-28; on Thursday 2027-12-30 (New Year observed Friday) by Tuesday 2028-01-04', () => {
    const utc = usFederalCalendar();
    const contact = (at: number) => byKind(planDischargeTasks(discharge({ dischargedAt: at }), [episode(1, 'other')], DEFAULT_POLICY, utc, at))['interactive-contact']!.dueAt;
    expect(contact(Date.parse('2026-12-23T10:00:00Z'))).toBe(Date.parse('2026-12-28T23:59:59.999Z'));
    expect(contact(Date.parse('2027-12-30T10:00:00Z'))).toBe(Date.parse('2028-01-04T23:59:59.999Z'));
  });

  it('a home-health patient also gets the resumption-of-care assessment within 48 hours, and the field clinician reconciles the medications', () => {
    const tasks = byKind(planDischargeTasks(discharge(), [episode(3, 'home-health'), episode(4, 'transitional-care')], DEFAULT_POLICY, chicago, friday));
    expect(tasks['resumption-of-care']).toMatchObject({ role: 'field-clinician', episodeId: 3, priority: 'urgent', dueAt: friday + 48 * HOUR });
    expect(tasks['medication-reconciliation']).toMatchObject({ role: 'field-clinician', episodeId: 3 });
    expect(tasks['interactive-contact']!.episodeId).toBe(4); // the transitional-care episode holds the TCM tasks
  });

  it('a discharge processed after the face-to-face deadline (a backload) starts nothing; one day before it, everything', () => {
    const visitDue = Date.parse('2026-12-19T05:59:59.999Z');
    expect(planDischargeTasks(discharge(), [episode(7, 'other')], DEFAULT_POLICY, chicago, visitDue + 1)).toEqual([]);
    expect(planDischargeTasks(discharge(), [episode(7, 'other')], DEFAULT_POLICY, chicago, visitDue - 86_400_000)).toHaveLength(3);
  });

  it('a transfer to a SNF starts nothing', () => {
    expect(planDischargeTasks(discharge({ disposition: '03' }), [episode(3, 'home-health')], DEFAULT_POLICY, chicago, friday)).toEqual([]);
  });

  it('task titles and descriptions carry no patient data', () => {
    for (const t of planDischargeTasks(discharge(), [episode(3, 'home-health')], DEFAULT_POLICY, chicago, friday)) {
      expect(t.title).not.toMatch(/\d{4}-\d{2}/);
      expect(t.description).not.toMatch(/encounter|patient \d/);
    }
  });
});

describe('the episode the tasks belong to', () => {
  it('transitional care, then home health, then the latest started; active before on hold', () => {
    expect(transitionEpisode([episode(1, 'other', 'active', 5), episode(2, 'home-health', 'active', 1)])!.id).toBe(2);
    expect(transitionEpisode([episode(1, 'home-health'), episode(2, 'transitional-care')])!.id).toBe(2);
    expect(transitionEpisode([episode(1, 'other', 'active', 1), episode(2, 'other', 'active', 9)])!.id).toBe(2);
    expect(transitionEpisode([episode(1, 'transitional-care', 'on-hold'), episode(2, 'other', 'active')])!.id).toBe(2);
    expect(transitionEpisode([episode(1, 'transitional-care', 'finished')])).toBeUndefined();
  });
});

describe('overdue reminders (decideReminder)', () => {
  const due = 1_000_000;
  const grace = 4 * HOUR;
  it('nothing before the due time, or for a task done or cancelled', () => {
    expect(decideReminder({ status: 'open', dueAt: due }, { remindedAt: null, reportedAt: null }, due, grace)).toEqual({ remind: false, report: false });
    expect(decideReminder({ status: 'completed', dueAt: due }, { remindedAt: null, reportedAt: null }, due + 10 * HOUR, grace)).toEqual({ remind: false, report: false });
    expect(decideReminder({ status: 'cancelled', dueAt: due }, { remindedAt: null, reportedAt: null }, due + 10 * HOUR, grace)).toEqual({ remind: false, report: false });
    expect(decideReminder({ status: 'open', dueAt: null }, { remindedAt: null, reportedAt: null }, due + 10 * HOUR, grace)).toEqual({ remind: false, report: false });
  });
  it('a reminder first, then the report once the grace period after the reminder has passed, then nothing', () => {
    expect(decideReminder({ status: 'open', dueAt: due }, { remindedAt: null, reportedAt: null }, due + 1, grace)).toEqual({ remind: true, report: false });
    expect(decideReminder({ status: 'in-progress', dueAt: due }, { remindedAt: due + 1, reportedAt: null }, due + grace, grace)).toEqual({ remind: false, report: false });
    expect(decideReminder({ status: 'in-progress', dueAt: due }, { remindedAt: due + 1, reportedAt: null }, due + 1 + grace, grace)).toEqual({ remind: false, report: true });
    expect(decideReminder({ status: 'open', dueAt: due }, { remindedAt: due + 1, reportedAt: due + grace }, due + 99 * HOUR, grace)).toEqual({ remind: false, report: false });
  });
});
