/**
 * Given-name equivalence: two names are nickname-equivalent when they share a group of
 * nickname-data.ts (bill and william; liz and beth, both elizabeth). Looked up once per record by
 * normalizePerson; compare() then intersects two short sorted arrays of group numbers.
 */
import { NICKNAME_GROUPS } from './nickname-data.js';

const groupsByName = new Map<string, readonly number[]>();
const formalNames: string[] = [];

for (const line of NICKNAME_GROUPS.split('\n')) {
  const names = line.trim().split(/\s+/).filter((n) => n !== '');
  if (names.length === 0) continue;
  const id = formalNames.length;
  formalNames.push(names[0]!);
  for (const n of names) {
    const ids = groupsByName.get(n) ?? [];
    if (!ids.includes(id)) groupsByName.set(n, Object.freeze([...ids, id]));
  }
}

const NONE: readonly number[] = Object.freeze([]);

/** Group numbers of a normalised given name, ascending; empty when the name is in no group. */
export function nicknameGroups(name: string): readonly number[] {
  return groupsByName.get(name) ?? NONE;
}

/** The formal names of the groups a name belongs to ('bill' -> ['william']). */
export function formalNamesOf(name: string): string[] {
  return nicknameGroups(name).map((id) => formalNames[id]!);
}

/** True when two sorted group lists share a group. */
export function shareGroup(a: readonly number[], b: readonly number[]): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) return true;
    if (x < y) i++;
    else j++;
  }
  return false;
}
