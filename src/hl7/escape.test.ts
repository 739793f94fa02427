import { describe, expect, it } from 'vitest';
import { escapeHl7, Hl7Error, Hl7ErrorCode, STANDARD_DELIMITERS, unescapeHl7, type Delimiters } from './index.js';

const d = STANDARD_DELIMITERS;
const v27: Delimiters = { ...STANDARD_DELIMITERS, truncation: '#' };

describe('unescapeHl7', () => {
  it('replaces the delimiter escapes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\', () => {
    expect(unescapeHl7('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f', d)).toBe('a|b^c&d~e\\f');
  });

  it('replaces \\P\\ with the truncation character only when MSH-2 defines one', () => {
    expect(unescapeHl7('No\\P\\5', v27)).toBe('No#5');
    expect(unescapeHl7('No\\P\\5', d)).toBe('No\\P\\5');
  });

  it('decodes hexadecimal data, e.g. \\X0D\\ and \\X0A\\ to CR and LF', () => {
    expect(unescapeHl7('line1\\X0D0A\\line2', d)).toBe('line1\r\nline2');
    expect(unescapeHl7('caf\\XC3A9\\', d)).toBe('café');
  });

  it('keeps highlighting and formatting escapes exactly as written', () => {
    const ft = 'pH : \\H\\ 7.28\\N\\\\.br\\\\.sp2\\next \\.in+4\\ \\Zlocal\\ \\C2842\\';
    expect(unescapeHl7(ft, d)).toBe(ft);
  });

  it('keeps an escaped escape before formatting text literal: \\E\\X0A\\E\\ is the text "\\X0A\\"', () => {
    expect(unescapeHl7('\\E\\X0A\\E\\', d)).toBe('\\X0A\\');
  });

  it('leaves an unterminated escape and malformed hex as written', () => {
    expect(unescapeHl7('abc\\F', d)).toBe('abc\\F');
    expect(unescapeHl7('\\X0\\ \\XZZ\\', d)).toBe('\\X0\\ \\XZZ\\');
  });

  it('uses the message escape character, not a backslash', () => {
    const custom: Delimiters = { field: '#', component: '!', repetition: '@', escape: '%', subcomponent: '*' };
    expect(unescapeHl7('a%F%b%S%c\\F\\', custom)).toBe('a#b!c\\F\\');
  });

  it('returns the text unchanged when MSH-2 has no escape character', () => {
    expect(unescapeHl7('a\\F\\b', { ...d, escape: '', subcomponent: '' })).toBe('a\\F\\b');
  });
});

describe('escapeHl7', () => {
  it('escapes every delimiter and the escape character', () => {
    expect(escapeHl7('a|b^c&d~e\\f', d)).toBe('a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f');
  });

  it('escapes CR, LF and other control characters as hex, keeping TAB', () => {
    expect(escapeHl7('a\r\nb\tc\u0000', d)).toBe('a\\X0D\\\\X0A\\b\tc\\X00\\');
  });

  it('escapes the v2.7 truncation character as \\P\\', () => {
    expect(escapeHl7('Apt #5', v27)).toBe('Apt \\P\\5');
  });

  it('refuses text that needs escaping when MSH-2 has no escape character', () => {
    const noEscape = { ...d, escape: '', subcomponent: '' };
    expect(() => escapeHl7('a|b', noEscape)).toThrow(Hl7Error);
    try {
      escapeHl7('a|b', noEscape);
    } catch (e) {
      expect((e as Hl7Error).code).toBe(Hl7ErrorCode.UNESCAPABLE_VALUE);
    }
    expect(escapeHl7('plain', noEscape)).toBe('plain');
  });

  it('round-trips text that looks like escape sequences', () => {
    for (const s of ['\\H\\', '\\.br\\', '\\X41\\', '\\', '\\\\', 'a\\E\\b']) expect(unescapeHl7(escapeHl7(s, d), d)).toBe(s);
  });
});
