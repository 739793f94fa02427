/**
 * Jaro and Jaro-Winkler string similarity, written for speed on short names (no allocation per call).
 *
 * Jaro (Jaro 1989): two characters match when equal and no further apart than
 * floor(max(|a|, |b|) / 2) - 1 positions; with m matches and t half the number of matched characters
 * out of order, jaro = (m/|a| + m/|b| + (m - t)/m) / 3, and 0 when m = 0.
 * Winkler (Winkler 1990, "String comparator metrics and enhanced decision rules in the Fellegi-Sunter
 * model of record linkage"): when jaro > 0.7, add l * p * (1 - jaro) for a common prefix of l <= 4
 * characters, p = 0.1. Both are symmetric and lie in [0, 1]; equal strings score 1, and two empty
 * strings score 1 (callers treat empty as missing before they get here).
 * Characters are UTF-16 code units: names are normalised to ASCII before comparison.
 */

/** Scratch flags for strings longer than 32 characters, reused across calls. Grown on demand. */
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** Jaro similarity of a and b, in [0, 1]. */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  return la <= 32 && lb <= 32 ? jaroShort(a, b, la, lb) : jaroLong(a, b, la, lb);
}

/** Both strings fit a 32-bit mask of matched positions: no memory touched besides the strings. */
function jaroShort(a: string, b: string, la: number, lb: number): number {
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let maskA = 0;
  let maskB = 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < lb ? i + window + 1 : lb;
    for (let j = lo; j < hi; j++) {
      if ((maskB & (1 << j)) === 0 && b.charCodeAt(j) === c) {
        maskA |= 1 << i;
        maskB |= 1 << j;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if ((maskA & (1 << i)) === 0) continue;
    while ((maskB & (1 << k)) === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) outOfOrder++;
    k++;
  }
  return (matches / la + matches / lb + (matches - outOfOrder / 2) / matches) / 3;
}

function jaroLong(a: string, b: string, la: number, lb: number): number {
  if (la > flagsA.length || lb > flagsB.length) {
    const n = Math.max(la, lb) * 2;
    flagsA = new Uint8Array(n);
    flagsB = new Uint8Array(n);
  }
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = i > window ? i - window : 0;
    const hi = i + window + 1 < lb ? i + window + 1 : lb;
    for (let j = lo; j < hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let outOfOrder = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) outOfOrder++;
    k++;
  }
  return (matches / la + matches / lb + (matches - outOfOrder / 2) / matches) / 3;
}

/** Winkler's prefix scale p and the Jaro score above which the prefix bonus applies. */
const PREFIX_SCALE = 0.1;
const BOOST_THRESHOLD = 0.7;

/** Jaro-Winkler similarity of a and b, in [0, 1] (MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840). */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= BOOST_THRESHOLD || j === 1) return j;
  const n = Math.min(4, a.length, b.length);
  let l = 0;
  while (l < n && a.charCodeAt(l) === b.charCodeAt(l)) l++;
  return j + l * PREFIX_SCALE * (1 - j);
}

/**
 * jaroWinkler(a, b) when it may reach `min`, else 0. A pair is skipped without the quadratic scan
 * when a bound proves it cannot reach `min`: characters of one string absent from the other cannot
 * match, so with m at most the smaller count of matchable characters, jaro <= (m/|a| + m/|b| + 1) / 3,
 * and the prefix bonus is computed exactly. Never skips a pair whose score reaches `min`.
 */
export function jaroWinklerAtLeast(a: string, b: string, min: number): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  let setA = 0;
  let setB = 0;
  for (let i = 0; i < la; i++) setA |= 1 << (a.charCodeAt(i) & 31);
  for (let i = 0; i < lb; i++) setB |= 1 << (b.charCodeAt(i) & 31);
  let matchableA = 0;
  let matchableB = 0;
  for (let i = 0; i < la; i++) if ((setB & (1 << (a.charCodeAt(i) & 31))) !== 0) matchableA++;
  for (let i = 0; i < lb; i++) if ((setA & (1 << (b.charCodeAt(i) & 31))) !== 0) matchableB++;
  const m = Math.min(matchableA, matchableB);
  if (m === 0) return 0;
  const jaroBound = (m / la + m / lb + 1) / 3;
  const n = Math.min(4, la, lb);
  let l = 0;
  while (l < n && a.charCodeAt(l) === b.charCodeAt(l)) l++;
  const bound = jaroBound > BOOST_THRESHOLD ? jaroBound + l * PREFIX_SCALE * (1 - jaroBound) : jaroBound;
  if (bound < min) return 0;
  return jaroWinkler(a, b);
}
