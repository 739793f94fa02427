import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../hl7/index.js';
import { mergeKey, patientKey } from './patient-key.js';

const msg = (pid: string, extra = '') => parseHl7(`MSH|^~\\&|EPIC|GENHOSP|CC|CC|20261125||ADT^A08|1|P|2.5.1\r${pid}\r${extra}`);

describe('patient ordering keys', () => {
  it('prefers the MR-typed identifier, with CX.4, else CX.6, else MSH-4 as authority', () => {
    expect(patientKey(msg('PID|1||A1^^^^PI^CLINIC~M1^^^STMARY^MR'))).toBe('M1^STMARY');
    expect(patientKey(msg('PID|1||A1^^^^PI^CLINIC'))).toBe('A1^CLINIC');
    expect(patientKey(msg('PID|1||A1'))).toBe('A1^GENHOSP');
  });

  it('never uses a Social Security number as a key', () => {
    expect(patientKey(msg('PID|1||123456789^^^SSA^SS'))).toBeNull();
    expect(patientKey(msg('PID|1||123456789^^^^SSN~M1^^^GENHOSP^PI'))).toBe('M1^GENHOSP');
  });

  it('reads the merge key from MRG-1 and is null without a patient', () => {
    expect(mergeKey(msg('PID|1||M1^^^GENHOSP^MR', 'MRG|OLD1^^^GENHOSP^MR\r'))).toBe('OLD1^GENHOSP');
    expect(patientKey(msg('PV1|1|I'))).toBeNull();
  });
});
