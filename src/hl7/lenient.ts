/**
 * Best-effort reading of MSH from text that may not parse, so that a rejection (NAK) can still be
 * addressed to the sender. Never throws; bounded work (looks at the first MSH line only, at most 64 KiB).
 */

/**
 * MSH fields as written (still escaped, in the original message's own delimiters), except
 * messageCode, triggerEvent and version which are the first components of MSH-9 / MSH-9 / MSH-12.
 * Absent values are ''. fieldSeparator defaults to '|' when no MSH is found.
 */
export interface LenientHeader {
  fieldSeparator: string;
  encodingCharacters: string;
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  controlId: string;
  processingId: string;
  version: string;
  messageCode: string;
  triggerEvent: string;
  acceptAckType: string;
  applicationAckType: string;
  charset: string;
}

const MAX_LINE = 64 * 1024;
const MAX_SEARCH = 1024 * 1024;

/** A header with every field empty. */
export function emptyHeader(): LenientHeader {
  return {
    fieldSeparator: '|', encodingCharacters: '', sendingApplication: '', sendingFacility: '',
    receivingApplication: '', receivingFacility: '', controlId: '', processingId: '', version: '',
    messageCode: '', triggerEvent: '', acceptAckType: '', applicationAckType: '', charset: '',
  };
}

/** Start of the first line beginning with "MSH" within the search window, or -1. */
function findMsh(text: string): number {
  const limit = Math.min(text.length, MAX_SEARCH);
  let lineStart = 0;
  for (let i = 0; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10 || c === 0xfeff) lineStart = i + 1;
    else if (i === lineStart && text.startsWith('MSH', i)) return i;
  }
  return -1;
}

/**
 * The component separator to assume: MSH-2's first character when it is plausible (printable ASCII
 * punctuation, not the field separator, not repeated in MSH-2), else the standard '^'.
 */
export function guessComponentSeparator(encodingCharacters: string, fieldSeparator: string): string {
  const c = encodingCharacters.charAt(0);
  const code = c.charCodeAt(0);
  const unique = encodingCharacters.indexOf(c, 1) < 0;
  const plausible = unique && code >= 0x21 && code <= 0x7e && !/[A-Za-z0-9]/.test(c) && c !== fieldSeparator;
  return plausible ? c : '^';
}

/** Read the MSH fields of the first MSH line in `text`. Never throws. */
export function readLenientHeader(text: string): LenientHeader {
  const h = emptyHeader();
  try {
    const at = findMsh(text);
    if (at < 0) return h;
    let end = at;
    const limit = Math.min(text.length, at + MAX_LINE);
    while (end < limit && text.charCodeAt(end) !== 13 && text.charCodeAt(end) !== 10) end++;
    const line = text.slice(at, end);
    const fs = line.charAt(3);
    if (fs === '') return h;
    const parts = line.split(fs, 20);
    const f = (n: number): string => parts[n - 1] ?? '';
    const cs = guessComponentSeparator(f(2), fs);
    const first = (s: string, i = 0): string => s.split(cs)[i] ?? '';
    h.fieldSeparator = fs;
    h.encodingCharacters = f(2);
    h.sendingApplication = f(3);
    h.sendingFacility = f(4);
    h.receivingApplication = f(5);
    h.receivingFacility = f(6);
    h.messageCode = first(f(9));
    h.triggerEvent = first(f(9), 1);
    h.controlId = f(10);
    h.processingId = f(11);
    h.version = first(f(12)).trim();
    h.acceptAckType = first(f(15)).trim();
    h.applicationAckType = first(f(16)).trim();
    h.charset = f(18);
    return h;
  } catch {
    return h;
  }
}
