/**
 * Text clean-up shared by the normalisers: fold to lower-case ASCII (accents removed by Unicode
 * canonical decomposition), every other character a word break.
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_ALNUM = /[^a-z0-9]+/g;
const NOT_LETTER = /[^a-z]+/g;

/** Lower-case ASCII words of s: letters and digits kept, everything else separates words. */
export function words(s: string | undefined): string[] {
  if (s === undefined || s === '') return [];
  const folded = s.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_ALNUM, ' ').trim();
  return folded === '' ? [] : folded.split(' ');
}

/** Lower-case ASCII letter words of s (digits dropped: names carry none). */
export function letterWords(s: string | undefined): string[] {
  if (s === undefined || s === '') return [];
  const folded = s.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_LETTER, ' ').trim();
  return folded === '' ? [] : folded.split(' ');
}

/** Digits of s only. */
export function digits(s: string | undefined): string {
  return s === undefined ? '' : s.replace(/\D+/g, '');
}

/** Number of positions at which two strings of equal length differ (Infinity when lengths differ). */
export function hamming(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) d++;
  return d;
}

/** True when b is a with exactly one pair of adjacent characters swapped (1234 / 1324). */
export function isAdjacentTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i >= a.length - 1) return false;
  if (a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false;
  return a.slice(i + 2) === b.slice(i + 2);
}
