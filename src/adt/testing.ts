/**
 * Test helpers: HL7 ADT messages built by field number, so a test states "PV1-45 is ..." instead of
 * counting pipes. Used by the adt/ unit tests and test/adt-*.test.ts.
 */

/** A segment from field number -> raw (still escaped) value, e.g. seg('PV1', { 2: 'I', 19: 'V1' }). */
export function seg(name: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  const out: string[] = [name];
  for (let n = 1; n <= last; n++) out.push(fields[n] ?? '');
  return out.join('|');
}

export interface AdtSpec {
  trigger: string;
  controlId: string;
  mrn: string;
  facility?: string;
  /** MSH-7. */
  messageTime?: string;
  /** EVN fields (EVN-1 defaults to the trigger); omit `evn` for a message without EVN. */
  evn?: Record<number, string> | null;
  pid?: Record<number, string>;
  /** PV1 fields; null for a message without PV1. */
  pv1?: Record<number, string> | null;
  /** Further segments, as written (seg() output or literal). */
  extra?: string[];
}

/** A v2.5.1 ADT message (MSH-9 ADT^trigger) with CR separators. */
export function adtMessage(s: AdtSpec): string {
  const facility = s.facility ?? 'GENHOSP';
  const lines = [
    `MSH|^~\\&|EPIC|${facility}|CARECOORD|CC|${s.messageTime ?? '20261125101500'}||ADT^${s.trigger}|${s.controlId}|P|2.5.1`,
    ...(s.evn === null ? [] : [seg('EVN', { 1: s.trigger, ...(s.evn ?? {}) })]),
    seg('PID', { 1: '1', 3: `${s.mrn}^^^${facility}^MR`, 5: 'DOE^JANE^Q', 7: '19500101', 8: 'F', ...(s.pid ?? {}) }),
    ...(s.pv1 === null || s.pv1 === undefined ? [] : [seg('PV1', { 1: '1', ...s.pv1 })]),
    ...(s.extra ?? []),
  ];
  return lines.join('\r') + '\r';
}
