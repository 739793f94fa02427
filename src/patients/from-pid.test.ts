import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHl7, readPid } from '../hl7/index.js';
import { canonicalJson, mergeDemographics, patientFromPid, sameDemographics } from './index.js';

function pidOf(segment: string) {
  const m = parseHl7(`MSH|^~\\&|EPIC|GENHOSP|CC|CC|20261125101500||ADT^A08|1|P|2.5.1\r${segment}\r`);
  return readPid(m)!;
}

describe('patientFromPid', () => {
  it('maps identifiers with the authority rule CX.4, else CX.6, else MSH-4', () => {
    const p = patientFromPid(pidOf('PID|1||111^^^STMARY^MR~222^^^^PI^NORTHCLINIC~333^^^^MR||DOE^JANE'), 'GENHOSP');
    expect(p.identifiers).toEqual([
      { value: '111', authority: 'STMARY', typeCode: 'MR', facility: 'GENHOSP' },
      { value: '222', authority: 'NORTHCLINIC', typeCode: 'PI', facility: 'NORTHCLINIC' },
      { value: '333', authority: 'GENHOSP', typeCode: 'MR', facility: 'GENHOSP' },
    ]);
  });

  it('never keeps a full SSN: SS identifiers are dropped and PID-19 keeps its last four digits', () => {
    const p = patientFromPid(pidOf('PID|1||111^^^GENHOSP^MR~123456789^^^SSA^SS||DOE^JANE||19500101|F|||||||||||123-45-6789'), 'GENHOSP');
    expect(p.identifiers.map((i) => i.value)).toEqual(['111']);
    expect(p.demographics.ssnLast4).toBe('6789');
    expect(JSON.stringify(p)).not.toContain('123456789');
    expect(JSON.stringify(p)).not.toContain('123-45');
  });

  it('takes the last four digits from an SS identifier when PID-19 is empty', () => {
    const p = patientFromPid(pidOf('PID|1||111^^^GENHOSP^MR~987654321^^^USSSA^SS||DOE^JANE'), 'GENHOSP');
    expect(p.demographics.ssnLast4).toBe('4321');
    expect(p.identifiers).toHaveLength(1);
  });

  it('reads names, birth date at its precision, sex, address, phones and death', () => {
    const p = patientFromPid(
      pidOf('PID|1||111^^^GENHOSP^MR||O\'BRIEN^MARY^ANN^^DR^^L~SMITH^MARY^^^^^M||195003|f|||12 Oak St^Apt 2^Springfield^IL^62701^USA^H||(217)555-0100^PRN^PH|^WPN^PH^^1^217^5550199|en^English||||||||||||||20261120083000|Y'),
      'GENHOSP',
      1700000000000,
    );
    const d = p.demographics;
    expect(d.names[0]).toEqual({ family: "O'BRIEN", given: 'MARY', middle: 'ANN', prefix: 'DR', suffix: '', type: 'L' });
    expect(d.names).toHaveLength(2);
    expect(d.birthDate).toBe('1950-03');
    expect(d.sex).toBe('F');
    expect(d.addresses[0]).toMatchObject({ line: '12 Oak St', other: 'Apt 2', city: 'Springfield', state: 'IL', postcode: '62701' });
    expect(d.phones).toEqual([
      { number: '2175550100', use: 'PRN', kind: 'home' },
      { number: '+12175550199', use: 'WPN', kind: 'business' },
    ]);
    expect(d.language).toBe('en');
    expect(d.deceased).toBe(true);
    expect(d.deceasedAt).toBe(Date.UTC(2026, 10, 20, 8, 30));
    expect(d.asOf).toBe(1700000000000);
  });

  it('treats "" (HL7 delete) and empty fields as absent', () => {
    const p = patientFromPid(pidOf('PID|1||""^^^GENHOSP^MR~111^^^GENHOSP^MR||DOE^""||""|""'), 'GENHOSP');
    expect(p.identifiers.map((i) => i.value)).toEqual(['111']);
    expect(p.demographics.names[0]!.given).toBe('');
    expect(p.demographics.birthDate).toBeUndefined();
    expect(p.demographics.sex).toBeUndefined();
  });
});

describe('mergeDemographics', () => {
  const base = patientFromPid(pidOf('PID|1||1^^^H^MR||DOE^JANE||19500101|F|||1 Main St^^Town^ST^11111'), 'H').demographics;

  it('keeps stored values the update leaves empty and replaces those it carries', () => {
    const update = patientFromPid(pidOf('PID|1||1^^^H^MR||DOE^JANE||||||2 High St^^Town^ST^22222'), 'H').demographics;
    const next = mergeDemographics(base, update);
    expect(next.birthDate).toBe('1950-01-01');
    expect(next.sex).toBe('F');
    expect(next.addresses[0]!.line).toBe('2 High St');
    expect(sameDemographics(base, next)).toBe(false);
  });

  it('an update carrying the same values changes nothing, whatever the key order', () => {
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(base).reverse())));
    expect(sameDemographics(base, mergeDemographics(reordered, base))).toBe(true);
  });

  it('canonicalJson is insensitive to key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        return canonicalJson(obj) === canonicalJson(reversed);
      }),
    );
  });
});
