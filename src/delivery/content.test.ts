import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../alerts/contract.js';
import { composeMessage, parsePhiPolicy } from './content.js';

const facts = { alertId: 42, severity: 'critical' as const, ruleId: 'readmission-30d' };

describe('composeMessage', () => {
  it('by default no channel names the patient: severity, rule code and link only', () => {
    for (const channel of CHANNELS) {
      const m = composeMessage(facts, channel, {}, 'https://cc.example.org/', 'ZEBEDEE Quintessa');
      expect(`${m.subject} ${m.body}`).not.toMatch(/ZEBEDEE|Quintessa/);
      expect(m.carriesPhi).toBe(false);
      expect(m.link).toBe('https://cc.example.org/alerts/42');
    }
    expect(composeMessage(facts, 'sms', {}, 'https://cc.example.org').body).toBe('CRITICAL alert (readmission-30d). Open: https://cc.example.org/alerts/42');
  });

  it('names the patient only on channels the policy allows (never in-app)', () => {
    const policy = parsePhiPolicy('email:names, sms:none');
    expect(composeMessage(facts, 'email', policy, 'https://x', 'ZEBEDEE Quintessa')).toMatchObject({ carriesPhi: true, body: expect.stringContaining('ZEBEDEE') });
    expect(composeMessage(facts, 'sms', policy, 'https://x', 'ZEBEDEE Quintessa').carriesPhi).toBe(false);
    expect(composeMessage(facts, 'in-app', { 'in-app': 'names' }, 'https://x', 'ZEBEDEE Quintessa').carriesPhi).toBe(false);
  });

  it('refuses unknown channels and levels', () => {
    expect(() => parsePhiPolicy('fax:names')).toThrow(/unknown channel/);
    expect(() => parsePhiPolicy('email:diagnoses')).toThrow(/level/);
    expect(parsePhiPolicy(undefined)).toEqual({});
  });
});
