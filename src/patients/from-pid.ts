import type { Cx, Hl7Timestamp, Pid, Xpn } from '../hl7/index.js';
import type { Address, Demographics, IncomingPatient, PatientIdentifier, PersonName, Phone } from './types.js';

/**
 * Identifier types that are Social Security numbers (HL7 table 0203 'SS'; some senders use 'SSN' or
 * the authority 'SSA'). carecoord never stores them: only the last four digits survive, as
 * demographics.ssnLast4, for matching.
 */
function isSsn(c: Cx): boolean {
  const t = c.identifierType.toUpperCase();
  return t === 'SS' || t === 'SSN' || c.assigningAuthority.toUpperCase() === 'SSA';
}

/** The authority rule shared with the ingest ordering key (ingest/patient-key.ts). */
export function identifierOf(c: Cx, sendingFacility: string): PatientIdentifier | undefined {
  const value = c.id.trim();
  if (value === '' || value === '""' || isSsn(c)) return undefined;
  return {
    value,
    authority: (c.assigningAuthority || c.assigningFacility || sendingFacility).trim(),
    typeCode: c.identifierType.trim(),
    facility: (c.assigningFacility || sendingFacility).trim(),
  };
}

/** PID-3 identifiers (no SSNs), de-duplicated by authority and value. */
export function identifiersFrom(list: readonly Cx[], sendingFacility: string): PatientIdentifier[] {
  const seen = new Set<string>();
  const out: PatientIdentifier[] = [];
  for (const c of list) {
    const id = identifierOf(c, sendingFacility);
    if (!id) continue;
    const key = `${id.authority}\u0000${id.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(id);
  }
  return out;
}

export function lastFourDigits(text: string): string | undefined {
  const digits = text.replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : undefined;
}

/** HL7 '""' means "delete this value"; both it and empty mean "nothing here" for demographics. */
function val(s: string): string {
  const t = s.trim();
  return t === '""' ? '' : t;
}

function nameOf(x: Xpn): PersonName | undefined {
  const n: PersonName = { family: val(x.family), given: val(x.given), middle: val(x.middle), prefix: val(x.prefix), suffix: val(x.suffix), type: val(x.type) };
  return n.family || n.given ? n : undefined;
}

/** 'YYYY-MM-DD' at the value's own precision (a birth date is a calendar date, not an instant). */
export function calendarDate(t: Hl7Timestamp | undefined): string | undefined {
  if (!t) return undefined;
  const digits = t.text.trim().slice(0, 8);
  if (t.precision === 'year') return digits.slice(0, 4);
  if (t.precision === 'month') return `${digits.slice(0, 4)}-${digits.slice(4, 6)}`;
  return `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`;
}

/** Digits only, keeping a leading '+' (E.164-like); emails have no number. */
export function phoneDigits(text: string): string {
  const t = text.trim();
  const digits = t.replace(/\D/g, '');
  return t.startsWith('+') && digits ? `+${digits}` : digits;
}

/**
 * The patient a PID describes. `sendingFacility` (MSH-4) is the authority of identifiers that name
 * none. `asOf` is the event time of the message (an older update never overwrites a newer one).
 */
export function patientFromPid(pid: Pid, sendingFacility: string, asOf?: number): IncomingPatient {
  const names = pid.names.map(nameOf).filter((n): n is PersonName => n !== undefined);
  const addresses: Address[] = pid.addresses
    .map((a) => ({ line: val(a.street), other: val(a.other), city: val(a.city), state: val(a.state), postcode: val(a.postalCode), country: val(a.country), type: val(a.type) }))
    .filter((a) => a.line || a.city || a.postcode);
  const phones: Phone[] = pid.phones
    .map((p) => ({ number: phoneDigits(p.number), use: val(p.use), kind: p.kind }))
    .filter((p) => p.number.length >= 7);
  const ssnSource = pid.ssn || pid.identifiers.find(isSsn)?.id || '';
  const demographics: Demographics = { names, addresses, phones };
  const birthDate = calendarDate(pid.birthDate);
  if (birthDate) demographics.birthDate = birthDate;
  if (val(pid.sex)) demographics.sex = val(pid.sex).toUpperCase();
  if (val(pid.primaryLanguage.identifier) || val(pid.primaryLanguage.text)) demographics.language = val(pid.primaryLanguage.identifier) || val(pid.primaryLanguage.text);
  if (val(pid.maritalStatus.identifier)) demographics.maritalStatus = val(pid.maritalStatus.identifier);
  const races = pid.races.map((r) => val(r.identifier) || val(r.text)).filter(Boolean);
  if (races.length) demographics.races = races;
  const ethnic = pid.ethnicGroups.map((r) => val(r.identifier) || val(r.text)).filter(Boolean);
  if (ethnic.length) demographics.ethnicGroups = ethnic;
  const last4 = lastFourDigits(ssnSource);
  if (last4) demographics.ssnLast4 = last4;
  if (pid.deathIndicator.toUpperCase() === 'Y' || pid.deathTime) demographics.deceased = true;
  if (pid.deathTime) demographics.deceasedAt = pid.deathTime.date.getTime();
  if (asOf !== undefined) demographics.asOf = asOf;
  return { identifiers: identifiersFrom(pid.identifiers, sendingFacility), demographics };
}

/**
 * The demographics after an update: HL7 senders leave a field empty for "unchanged", so only what the
 * update carries replaces what is stored (lists such as names replace as a whole when sent).
 */
export function mergeDemographics(current: Demographics, update: Demographics): Demographics {
  const out: Demographics = { ...current };
  if (update.names.length) out.names = update.names;
  if (update.addresses.length) out.addresses = update.addresses;
  if (update.phones.length) out.phones = update.phones;
  for (const k of ['birthDate', 'sex', 'language', 'maritalStatus', 'races', 'ethnicGroups', 'ssnLast4', 'deceased', 'deceasedAt', 'asOf'] as const) {
    if (update[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = update[k];
  }
  return out;
}

/** True when applying `update` would change nothing stored. */
export function sameDemographics(a: Demographics, b: Demographics): boolean {
  const { asOf: _a, ...x } = a;
  const { asOf: _b, ...y } = b;
  return canonicalJson(x) === canonicalJson(y);
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : v,
  );
}
