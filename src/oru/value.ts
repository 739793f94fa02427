/**
 * The stored reading of an OBX value (OBX-5 read according to OBX-2, HL7 v2.5.1 §7.4.2.2 and
 * table 0125). Pure.
 *
 * | OBX-2            | value (text)                          | number / comparator          | code / time        |
 * |------------------|---------------------------------------|------------------------------|--------------------|
 * | NM               | as sent                               | the number; a sender's "<5" is read as '<' 5 | |
 * | SN (§2.A.71)     | "<5", ">100", "1:2", "10-20", "2+"    | '<' 5, '>' 100; none for ratios and ranges | |
 * | ST, TX, FT, TN   | the text; repetitions one per line; formatting escapes (\.br\) as sent | | |
 * | CE, CWE, CNE, CF | the text (CWE.2, else .5, else .9, else the code) | | code (.1 else .4), system |
 * | ID, IS           | as sent                               |                              | code = the value   |
 * | DT, DTM, TS      | as sent                               |                              | time (epoch ms)    |
 * | (empty)          | as sent                               | the number when it is one    |                    |
 * | ED, RP, others   | components joined by '^', repetitions by '~' (nothing dropped) | |                    |
 */
import type { Obx } from '../hl7/index.js';
import type { Comparator } from './range.js';

export interface ObservationValue {
  text: string | null;
  num: number | null;
  comparator: Comparator | null;
  code: string | null;
  codeSystem: string | null;
  time: number | null;
}

const EMPTY: ObservationValue = { text: null, num: null, comparator: null, code: null, codeSystem: null, time: null };

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const COMPARED = /^(<=|>=|<>|<|>|=)\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))$/;

/** A finite number from text, or null. */
export function toNumber(text: string): number | null {
  const t = text.trim();
  return NUMBER.test(t) ? Number(t) : null;
}

/** SN.1 as stored: '=' and '' mean "equal" and are stored as no comparator. */
export function toComparator(text: string): Comparator | null | undefined {
  const t = text.trim();
  if (t === '' || t === '=') return null;
  return t === '<' || t === '<=' || t === '>' || t === '>=' || t === '<>' ? t : undefined;
}

/** "<5" / ">= 10" / "5" as comparator and number; undefined when the text is not of that form. */
export function comparedNumber(text: string): { comparator: Comparator | null; num: number } | undefined {
  const t = text.trim();
  const n = toNumber(t);
  if (n !== null) return { comparator: null, num: n };
  const m = COMPARED.exec(t);
  if (!m) return undefined;
  const comparator = toComparator(m[1] ?? '');
  return comparator === undefined ? undefined : { comparator, num: Number(m[2]) };
}

/** Components joined back with '^', trailing empty ones dropped. */
function joined(components: readonly string[]): string {
  let end = components.length;
  while (end > 0 && components[end - 1] === '') end--;
  return components.slice(0, end).join('^');
}

/** Trimmed text, or null for nothing: empty, or HL7's explicit null '""'. */
function nonEmpty(s: string): string | null {
  const t = s.trim();
  return t === '' || t === '""' ? null : t;
}

/**
 * SN: comparator ^ num1 ^ separator/suffix ^ num2. With a separator ('-' range, ':' or '/' ratio,
 * '+' categorical "2+") there is no single number: text only.
 */
export function structuredNumeric(components: readonly string[]): ObservationValue {
  const [c1 = '', n1 = '', sep = '', n2 = ''] = components.map((c) => c.trim());
  // A sender writing SN as plain "182" or "<5" in the first component.
  if (n1 === '' && sep === '' && n2 === '') {
    const plain = comparedNumber(c1);
    if (plain) return { ...EMPTY, text: c1.replace(/\s+/g, ''), ...plain };
  }
  const comparator = toComparator(c1);
  const text = nonEmpty(`${comparator ?? ''}${n1}${sep}${n2}`);
  if (sep !== '' || comparator === undefined || comparator === '<>') return { ...EMPTY, text };
  const num = toNumber(n1);
  return { ...EMPTY, text, num, comparator: num === null ? null : comparator };
}

/** The stored reading of OBX-5 per OBX-2 (see the table above). Only the first repetition is read for numbers, codes and times. */
export function observationValue(obx: Obx): ObservationValue {
  const first = obx.values[0];
  if (first === undefined) return EMPTY;
  const type = obx.valueType;
  switch (type) {
    case 'NM': {
      const v = comparedNumber(first.text);
      return { ...EMPTY, text: nonEmpty(first.text), num: v?.num ?? null, comparator: v?.comparator ?? null };
    }
    case 'SN':
      return structuredNumeric(first.components);
    case 'ST': case 'TX': case 'FT': case 'TN':
      return { ...EMPTY, text: nonEmpty(obx.values.map((v) => joined(v.components)).join('\n')) };
    case 'CE': case 'CWE': case 'CNE': case 'CF': {
      const c = first.coded;
      const code = nonEmpty(c?.identifier ?? '') ?? nonEmpty(c?.alternateIdentifier ?? '');
      const system = code === null ? null : nonEmpty(c?.identifier ? c.codingSystem : (c?.alternateCodingSystem ?? ''));
      const text = nonEmpty(c?.text ?? '') ?? nonEmpty(c?.alternateText ?? '') ?? nonEmpty(first.components[8] ?? '') ?? code;
      return { ...EMPTY, text, code, codeSystem: system };
    }
    case 'ID': case 'IS':
      return { ...EMPTY, text: nonEmpty(first.text), code: nonEmpty(first.text) };
    case 'DT': case 'DTM': case 'TS':
      return { ...EMPTY, text: nonEmpty(first.text), time: first.time ? first.time.date.getTime() : null };
    case '': {
      const text = nonEmpty(obx.values.map((v) => joined(v.components)).join('~'));
      const v = text === null ? undefined : comparedNumber(text);
      return { ...EMPTY, text, num: v?.num ?? null, comparator: v?.comparator ?? null };
    }
    default:
      return { ...EMPTY, text: nonEmpty(obx.values.map((v) => joined(v.components)).join('~')) };
  }
}
