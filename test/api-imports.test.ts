import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Routes read patient data only through src/access (which filters every query on the caller's
 * visible patients). A route that imports a store repository or a care service directly would
 * bypass that filter: this test fails on such an import anywhere under src/api.
 */
const API_DIR = new URL('../src/api', import.meta.url).pathname;

/** What src/api may take from src/store and src/care: the Database type, and the care error codes. */
const ALLOWED = [/\/store\/schema\.js$/, /\/care\/errors\.js$/, /\/care\/user\.js$/];
const FORBIDDEN = [/\/store\//, /\/care\//, /\/identity\//, /\/adt\//, /\/oru\//, /\/patients\//];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function imports(source: string): string[] {
  return [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
}

describe('the API reads patient data only through src/access', () => {
  it('has no import of a store repository or domain service under src/api', () => {
    const offending: string[] = [];
    for (const file of files(API_DIR)) {
      for (const spec of imports(readFileSync(file, 'utf8'))) {
        if (FORBIDDEN.some((re) => re.test(spec)) && !ALLOWED.some((re) => re.test(spec))) offending.push(`${relative(API_DIR, file)} imports ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('recognises such an import (the check itself works)', () => {
    const found = imports("import { listPatientEvents } from '../../store/events.js';\nimport type { X } from '../../access/index.js';");
    expect(found).toEqual(['../../store/events.js', '../../access/index.js']);
    expect(FORBIDDEN.some((re) => re.test(found[0]!))).toBe(true);
  });
});
