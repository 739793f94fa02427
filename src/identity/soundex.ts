/**
 * American Soundex, as in the U.S. National Archives' "The Soundex Indexing System" (2007):
 * the first letter, then the digits of the following consonants (BFPV 1, CGJKQSXZ 2, DT 3, L 4,
 * MN 5, R 6), adjacent letters with the same digit coded once, H and W transparent (letters with
 * the same digit on both sides of an H or W are coded once), vowels and Y separating; padded with
 * zeros or cut to four characters. Robert and Rupert are R163, Tymczak T522, Pfister P236.
 * Non-letters are ignored; a string without letters gives ''.
 */

/** Digit per letter a..z; '0' for vowels and Y, '-' for H and W (transparent). */
const CODES = [...'abcdefghijklmnopqrstuvwxyz'].map((c) =>
  'bfpv'.includes(c) ? '1' : 'cgjkqsxz'.includes(c) ? '2' : 'dt'.includes(c) ? '3' : c === 'l' ? '4' : 'mn'.includes(c) ? '5' : c === 'r' ? '6' : 'hw'.includes(c) ? '-' : '0').join('');
const CODE_H_W = 45; // '-'

/** Soundex code of a (upper case letter + 3 digits), or '' when a has no ASCII letter. */
export function soundex(a: string): string {
  let out = '';
  let last = -1;
  for (let i = 0; i < a.length && out.length < 4; i++) {
    let c = a.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if (c < 97 || c > 122) continue;
    const code = CODES.charCodeAt(c - 97);
    if (out === '') {
      out = String.fromCharCode(c - 32);
      last = code;
      continue;
    }
    if (code === CODE_H_W) continue;
    if (code !== 48 && code !== last) out += String.fromCharCode(code);
    last = code;
  }
  if (out === '') return '';
  return (out + '000').slice(0, 4);
}
