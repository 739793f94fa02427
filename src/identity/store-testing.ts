/**
 * Test support for identity's stored operations: incoming records built from a few plain fields.
 * Used by src/identity tests and test/identity-*.test.ts only.
 */
import type { Demographics, IncomingPatient, PatientIdentifier } from '../patients/index.js';

export interface PersonSpec {
  given?: string;
  middle?: string;
  family?: string;
  birthDate?: string;
  sex?: string;
  line?: string;
  city?: string;
  state?: string;
  postcode?: string;
  phone?: string;
  ssnLast4?: string;
  deceased?: boolean;
}

export function demographics(p: PersonSpec): Demographics {
  const d: Demographics = {
    names: p.given || p.family ? [{ family: p.family ?? '', given: p.given ?? '', middle: p.middle ?? '', prefix: '', suffix: '', type: 'L' }] : [],
    addresses: p.line || p.city || p.postcode ? [{ line: p.line ?? '', other: '', city: p.city ?? '', state: p.state ?? '', postcode: p.postcode ?? '', country: '', type: 'H' }] : [],
    phones: p.phone ? [{ number: p.phone, use: 'PRN', kind: 'home' }] : [],
  };
  if (p.birthDate) d.birthDate = p.birthDate;
  if (p.sex) d.sex = p.sex;
  if (p.ssnLast4) d.ssnLast4 = p.ssnLast4;
  if (p.deceased) d.deceased = true;
  return d;
}

/** An MR identifier of `authority`. */
export const mrn = (value: string, authority: string): PatientIdentifier => ({ value, authority, typeCode: 'MR', facility: authority });

export function incoming(p: PersonSpec, ...identifiers: PatientIdentifier[]): IncomingPatient {
  return { identifiers, demographics: demographics(p) };
}

/** Margaret Baker as GENHOSP registered her: every field. */
export const MARGARET: PersonSpec = {
  given: 'Margaret', middle: 'Ann', family: 'Baker', birthDate: '1940-09-22', sex: 'F', line: '12 Oak Street', city: 'Springfield', state: 'IL', postcode: '62701', phone: '2175550123',
};
