import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeHl7, parseHl7, readDg1, readErr, readEvn, readIn1, readMrg, readMsa, readMsh, readNte, readObr, readObx, readObxList,
  readPd1, readPid, readPv1, readPv2, type Hl7Message,
} from './index.js';

const CORPUS = new URL('../../../shared/hl7-samples/', import.meta.url);
const sample = (file: string): Hl7Message => parseHl7(decodeHl7(new Uint8Array(readFileSync(new URL(file, CORPUS)))).text);

/** A segment with the given fields at their sequence numbers (readable, no pipe counting). */
function seg(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? '');
  return [name, ...values].join('|');
}

const ADT = parseHl7([
  'MSH|^~\\&|REG|HOSP|CARECOORD|CC|20240102134501-0500||ADT^A01^ADT_A01|C1|P|2.5.1|||AL|NE||UNICODE UTF-8~8859/1',
  seg('EVN', { 1: 'A01', 2: '20240102134400-0500', 5: 'nurse7^RIVERA^ANA', 7: 'HOSP' }),
  seg('PID', {
    1: '1', 3: '111^^^HOSP^MR~222-33-4444^^^SSA^SS', 5: 'DOE^JANE^Q^JR^DR^^L~SMITH^JANE^^^^^M', 7: '19800101', 8: 'F',
    11: '1 Main St^Apt 2^Town^OH^45402^USA^H', 13: '^PRN^PH^^1^937^5550148~555-0100', 14: '555-0199', 16: 'M',
    18: 'ACC9^^^HOSP^AN', 19: '222-33-4444', 29: '20240101120000', 30: 'Y',
  }),
  seg('PD1', { 3: 'Clinic North^^99', 4: '4471^NGUYEN^LINH' }),
  seg('PV1', {
    1: '1', 2: 'I', 3: 'ICU^4^A^HOSP', 7: '4471^NGUYEN^LINH^^^DR', 19: 'V100^^^HOSP^VN', 36: '01', 44: '20240102134000', 45: '20240105100000',
  }),
  seg('PV2', { 3: 'CHF^Heart failure^I10', 8: '20240102', 9: '20240106', 12: 'Admission for CHF' }),
  seg('DG1', { 1: '1', 3: 'I50.9^Heart failure, unspecified^I10', 5: '20240102', 6: 'A' }),
  seg('IN1', { 1: '1', 2: 'PLAN1^Gold', 3: 'INS1^^^X^NIIP', 4: 'ACME Health', 8: 'GRP7', 12: '20240101', 13: '20241231', 16: 'DOE^JANE', 17: 'SEL^Self' }),
].join('\r'));

describe('typed accessors', () => {
  it('readMsh reads header fields, message type and every MSH-18 repetition', () => {
    const msh = readMsh(ADT);
    expect(msh).toMatchObject({
      fieldSeparator: '|', encodingCharacters: '^~\\&', controlId: 'C1', version: '2.5.1', acceptAckType: 'AL', applicationAckType: 'NE',
      messageType: { code: 'ADT', trigger: 'A01', structure: 'ADT_A01' }, charsets: ['UNICODE UTF-8', '8859/1'],
      sendingApplication: { namespaceId: 'REG' }, processingId: { id: 'P', mode: '' },
    });
    expect(msh?.dateTime?.date.toISOString()).toBe('2024-01-02T18:45:01.000Z');
  });

  it('readEvn reads event type, times, operator and facility', () => {
    const evn = readEvn(ADT);
    expect(evn).toMatchObject({ eventTypeCode: 'A01', operators: [{ id: 'nurse7', family: 'RIVERA', given: 'ANA' }], facility: { namespaceId: 'HOSP' } });
    expect(evn?.recordedTime?.precision).toBe('second');
  });

  it('readPid reads identifiers, names, birth date, address, phones, SSN and death fields', () => {
    const pid = readPid(ADT);
    expect(pid?.identifiers).toEqual([
      { id: '111', checkDigit: '', assigningAuthority: 'HOSP', assigningAuthorityUniversalId: '', identifierType: 'MR', assigningFacility: '' },
      { id: '222-33-4444', checkDigit: '', assigningAuthority: 'SSA', assigningAuthorityUniversalId: '', identifierType: 'SS', assigningFacility: '' },
    ]);
    expect(pid?.names[0]).toEqual({ family: 'DOE', given: 'JANE', middle: 'Q', suffix: 'JR', prefix: 'DR', degree: '', type: 'L' });
    expect(pid?.names[1]?.type).toBe('M');
    expect(pid?.birthDate).toMatchObject({ precision: 'day', text: '19800101' });
    expect(pid?.sex).toBe('F');
    expect(pid?.addresses[0]).toMatchObject({ street: '1 Main St', other: 'Apt 2', city: 'Town', state: 'OH', postalCode: '45402', country: 'USA', type: 'H' });
    expect(pid?.phones.map((p) => [p.kind, p.number])).toEqual([['home', '+1 (937) 5550148'], ['home', '555-0100'], ['business', '555-0199']]);
    expect(pid?.maritalStatus.identifier).toBe('M');
    expect(pid?.accountNumber).toMatchObject({ id: 'ACC9', identifierType: 'AN' });
    expect(pid?.ssn).toBe('222-33-4444');
    expect(pid?.deathTime?.date.toISOString()).toBe('2024-01-01T12:00:00.000Z');
    expect(pid?.deathIndicator).toBe('Y');
  });

  it('readPd1 reads the primary facility and care provider', () => {
    expect(readPd1(ADT)).toMatchObject({ primaryFacilities: [{ name: 'Clinic North', id: '99' }], primaryCareProviders: [{ id: '4471', family: 'NGUYEN' }] });
  });

  it('readPv1 reads class, location, attending doctor, visit number, disposition and admit/discharge times', () => {
    const pv1 = readPv1(ADT);
    expect(pv1).toMatchObject({
      patientClass: 'I', assignedLocation: { pointOfCare: 'ICU', room: '4', bed: 'A', facility: 'HOSP' },
      attendingDoctors: [{ id: '4471', family: 'NGUYEN', given: 'LINH', prefix: 'DR' }],
      visitNumber: { id: 'V100', identifierType: 'VN' }, dischargeDisposition: '01',
    });
    expect(pv1?.admitTime?.text).toBe('20240102134000');
    expect(pv1?.dischargeTime?.text).toBe('20240105100000');
  });

  it('readPv2 reads admit reason and expected dates', () => {
    const pv2 = readPv2(ADT);
    expect(pv2?.admitReason).toMatchObject({ identifier: 'CHF', text: 'Heart failure' });
    expect(pv2?.expectedDischargeTime?.precision).toBe('day');
    expect(pv2?.visitDescription).toBe('Admission for CHF');
  });

  it('readDg1 and readIn1 read diagnosis and insurance', () => {
    expect(readDg1(ADT)).toMatchObject({ diagnosis: { identifier: 'I50.9', codingSystem: 'I10' }, diagnosisType: 'A' });
    const in1 = readIn1(ADT);
    expect(in1).toMatchObject({ planId: { identifier: 'PLAN1' }, companyIds: [{ id: 'INS1', identifierType: 'NIIP' }], groupNumber: 'GRP7', insuredNames: [{ family: 'DOE' }], insuredRelationship: { identifier: 'SEL' } });
    expect(in1?.planExpirationDate?.text).toBe('20241231');
  });

  it('readObxList reads critical flags, numbers, units and ranges from a lab result (authored sample)', () => {
    const m = sample('authored/oru_r01_critical_potassium_hh.hl7');
    const obx = readObxList(m);
    expect(obx.map((o) => [o.identifier.identifier, o.values[0]?.number, o.units.identifier, o.referenceRange, o.abnormalFlags])).toEqual([
      ['2823-3', 6.8, 'mmol/L', '3.5-5.1', ['HH']],
      ['2951-2', 128, 'mmol/L', '136-145', ['L']],
      ['2345-7', 41, 'mg/dL', '70-99', ['LL']],
      ['2160-0', 1.1, 'mg/dL', '0.7-1.3', ['N']],
    ]);
    expect(obx[0]?.observationTime?.date.toISOString()).toBe('2026-11-03T13:10:00.000Z');
    expect(readNte(m)?.comments).toEqual(['Critical value called to RN J. PARKS at 0815 by lab tech 22.']);
    expect(readObr(m)).toMatchObject({ universalServiceId: { identifier: '80048' }, resultStatus: 'F', orderingProviders: [{ family: 'NGUYEN' }] });
    expect(readPid(m)?.identifiers.find((i) => i.identifierType === 'SS')?.id).toBe('123-45-6789');
  });

  it('readObx reads OBX-8 in CWE form ("A^A^HL70078") and coded values', () => {
    const obx = readObxList(sample('linuxforhealth-hl7v2-fhir/oru_r01_msh2_doubled_backslash_cwe_flag_a.hl7'))[2];
    expect(obx?.abnormalFlags).toEqual(['A']);
    expect(obx?.abnormalFlagsCoded[0]).toMatchObject({ identifier: 'A', text: 'A', codingSystem: 'HL70078' });
    expect(obx?.values[0]?.coded).toMatchObject({ identifier: '27268008', text: 'Salmonella', codingSystem: 'SCT' });
    expect(obx?.resultStatus).toBe('P');
  });

  it('readObx reads SN values and repeating flags', () => {
    const m = parseHl7('MSH|^~\\&|||||||ORU^R01|1|P|2.4\rOBX|1|SN|GLU||>^182|mg/dL||H~A|||F');
    expect(readObx(m)).toMatchObject({ valueType: 'SN', abnormalFlags: ['H', 'A'], values: [{ structuredNumeric: { comparator: '>', num1: 182, separator: '', num2: undefined } }] });
  });

  it('readObx keeps formatting escapes in text values', () => {
    const m = parseHl7('MSH|^~\\&|||||||ORU^R01|1|P|2.4\rOBX|1|FT|X||line1\\.br\\\\H\\high\\N\\ a\\T\\b||||||F');
    expect(readObx(m)?.values[0]?.text).toBe('line1\\.br\\\\H\\high\\N\\ a&b');
  });

  it('readMrg reads prior identifiers of a merge (authored sample)', () => {
    const m = sample('authored/adt_a40_merge.hl7');
    expect(readMrg(m)?.priorIdentifiers).toEqual([{ id: 'HH4410777', checkDigit: '', assigningAuthority: 'HH01', assigningAuthorityUniversalId: '', identifierType: 'MR', assigningFacility: '' }]);
    expect(readPid(m)?.identifiers[0]?.id).toBe('HH4410001');
  });

  it('readPid unescapes UTF-8 names and addresses (authored sample)', () => {
    const pid = readPid(sample('authored/adt_a01_utf8_names.hl7'));
    expect(pid?.names[0]).toMatchObject({ family: 'MÜLLER-ŁUKASZEWICZ', given: 'ZOË', middle: 'Ñ' });
    expect(pid?.addresses[0]).toMatchObject({ street: 'Straße 5 & Gärten', city: 'SAN JOSÉ' });
  });

  it('readMsa and readErr read an acknowledgment', () => {
    const ack = parseHl7('MSH|^~\\&|||||||ACK^A01^ACK|9|P|2.5.1\rMSA|AE|C1\rERR||PID^1^3|101^Required field missing^HL70357|E||||no id');
    expect(readMsa(ack)).toMatchObject({ code: 'AE', controlId: 'C1' });
    expect(readErr(ack)).toMatchObject({ locations: [{ segment: 'PID', sequence: '1', field: '3' }], code: { identifier: '101' }, severity: 'E', userMessage: 'no id' });
  });

  it('returns undefined when the segment is absent', () => {
    const m = parseHl7('MSH|^~\\&|||||||ADT^A01|1|P|2.5');
    expect([readPid(m), readPv1(m), readObx(m), readMrg(m), readMsa(m), readErr(m), readNte(m)]).toEqual([undefined, undefined, undefined, undefined, undefined, undefined, undefined]);
    expect(readObxList(m)).toEqual([]);
  });
});
