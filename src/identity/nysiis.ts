/**
 * NYSIIS phonetic code (New York State Identification and Intelligence System; R. L. Taft, "Name
 * Search Techniques", 1970), the original rules without the 6-character cut:
 *   1. first letters: MAC -> MCC, KN -> NN, K -> C, PH and PF -> FF, SCH -> SSS;
 *   2. last letters: EE and IE -> Y; DT, RT, RD, NT, ND -> D;
 *   3. the key starts with the first letter; from the second letter on:
 *      EV -> AF, other vowels -> A; Q -> G, Z -> S, M -> N; KN -> N, K -> C; SCH -> SSS; PH -> FF;
 *      H after or before a non-vowel -> the previous letter; W after a vowel -> the previous letter;
 *      a letter equal to the last one of the key is not added again;
 *   4. a final S is dropped, a final AY becomes Y, a final A is dropped.
 * Smith -> SNAT, Schmidt -> SNAD, Mitchell -> MATCAL, Knuth -> NAT. Non-letters are ignored.
 */

const isVowel = (c: string | undefined): boolean => c === 'A' || c === 'E' || c === 'I' || c === 'O' || c === 'U';

function letters(a: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i) & ~32; // ASCII upper case
    if (c >= 65 && c <= 90) out.push(String.fromCharCode(c));
  }
  return out;
}

function translateFirst(s: string[]): void {
  const head = s.slice(0, 3).join('');
  if (head === 'MAC') s[1] = 'C';
  else if (head === 'SCH') s.splice(0, 3, 'S', 'S', 'S');
  else if (head.startsWith('KN')) s[0] = 'N';
  else if (head.startsWith('PH') || head.startsWith('PF')) s.splice(0, 2, 'F', 'F');
  else if (head.startsWith('K')) s[0] = 'C';
}

function translateLast(s: string[]): void {
  const tail = s.slice(-2).join('');
  if (s.length < 3) return;
  if (tail === 'EE' || tail === 'IE') s.splice(-2, 2, 'Y');
  else if (tail === 'DT' || tail === 'RT' || tail === 'RD' || tail === 'NT' || tail === 'ND') s.splice(-2, 2, 'D');
}

/** NYSIIS code of a (upper case), or '' when a has no ASCII letter. */
export function nysiis(a: string): string {
  const s = letters(a);
  if (s.length === 0) return '';
  translateFirst(s);
  translateLast(s);
  let key = s[0]!;
  for (let i = 1; i < s.length; i++) {
    const c = s[i]!;
    const next = s[i + 1];
    let out: string;
    if (c === 'E' && next === 'V') out = 'AF';
    else if (isVowel(c)) out = 'A';
    else if (c === 'Q') out = 'G';
    else if (c === 'Z') out = 'S';
    else if (c === 'M') out = 'N';
    else if (c === 'K') out = next === 'N' ? 'N' : 'C';
    else if (c === 'S' && next === 'C' && s[i + 2] === 'H') out = 'SSS';
    else if (c === 'P' && next === 'H') out = 'FF';
    // An H at the end counts as followed by a non-vowel.
    else if (c === 'H' && (!isVowel(s[i - 1]) || !isVowel(next))) out = s[i - 1]!;
    else if (c === 'W' && isVowel(s[i - 1])) out = s[i - 1]!;
    else out = c;
    // The rewritten letters replace the originals, so later look-behinds see them (as published).
    for (let k = 0; k < out.length; k++) s[i + k] = out[k]!;
    i += out.length - 1;
    for (const x of out) if (key[key.length - 1] !== x) key += x;
  }
  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.length > 2 && key.endsWith('AY')) key = key.slice(0, -2) + 'Y';
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return key;
}
