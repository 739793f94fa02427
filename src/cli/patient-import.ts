import { createReadStream } from 'node:fs';
import { basename, join } from 'node:path';
import { loadConfig } from '../config.js';
import { csvReader, type CsvRecord } from '../identity/import-csv.js';
import { readImportHeader, readImportRow, IMPORT_COLUMNS, type ImportHeader, type ImportRecord } from '../identity/import-row.js';
import { openStore, SQLITE_OPS_FILE, type Store } from '../store/open.js';
import { postgresPatientLoader, sqlitePatientLoader, type BatchFinish, type PatientLoader } from '../store/patient-import.js';
import { CliError, parse, STORE_OPTIONS } from './args.js';
import { auditCli, cliActor } from './audit-calls.js';

/**
 * `carecoord patient import FILE`: seed the store from an existing master patient index. Every row is
 * a patient of its own (a bulk load of known-distinct patients: no probabilistic matching per row);
 * a row whose identifier a patient already holds is skipped, so a re-run imports only what is new.
 * Batches of --batch rows commit one transaction each; a bad row is reported with its line and
 * skipped (exit code 1 at the end); a bad header stops before anything is written (exit code 2).
 */

export const IMPORT_USAGE = `carecoord patient import FILE [--data-dir DIR] [--format csv] [--batch N] [--by NAME]

Loads patients from a CSV file with a header row. Columns (any order; mrn and authority required):
  ${IMPORT_COLUMNS.join(', ')}
birth_date is YYYY-MM-DD, sex an HL7 table 0001 code (F M O U A N). A full SSN (9 digits, or a column
named ssn) is reduced to its last four digits; carecoord never stores the full number.
This is a bulk load of known-distinct patients: no probabilistic matching per row. Each row becomes a
patient with identifier mrn^authority (type MR), unless a patient already holds that identifier (the
row is skipped: re-running an import adds only the new rows). Later messages find imported patients
exactly as they find patients created by messages (same match keys).
Each batch of N rows (default 20000, at most 100000) is one transaction, recorded in the audit trail
(who, file, lines, patient ids created). Larger batches load faster but hold the write lock longer: a
running server's writers wait for each batch (use 100000 to seed a store nothing else writes to).
Progress goes to stderr (a bar on a terminal); bad rows are reported with their line and skipped
(exit code 1).`;

const OPTIONS = {
  ...STORE_OPTIONS,
  format: { type: 'string', default: 'csv' },
  by: { type: 'string' },
  batch: { type: 'string', default: '20000' },
  help: { type: 'boolean', default: false },
} as const;

/** Bad rows printed one by one before the rest are only counted. */
const MAX_ROW_MESSAGES = 100;

export interface ImportTally {
  imported: number;
  existing: number;
  rejected: number;
  ssnReduced: number;
  existingLines: number[];
}

export async function runPatientImport(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, true);
  if (values.help) {
    process.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length) throw new CliError('patient import needs exactly one FILE');
  if (values.format !== 'csv') throw new CliError(`--format ${values.format} is not supported (csv)`);
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new CliError('--batch must be an integer from 1 to 100000');
  const total = Math.max(0, (await countLines(file)) - 1);
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const loader = loaderFor(store);
  try {
    const tally = await importFile(loader, file, batchSize, total, cliActor(values.by));
    report(tally);
    return tally.rejected > 0 ? 1 : 0;
  } finally {
    await loader.close();
    await store.close();
  }
}

/** SQLite: a loader on its own connection with prepared statements; PostgreSQL: through the store's pool. */
function loaderFor(store: Store): PatientLoader {
  return store.dialect === 'sqlite' ? sqlitePatientLoader(join(store.location, SQLITE_OPS_FILE), store.keyring.master) : postgresPatientLoader(store.db);
}

/** Lines of the file (a last line without a line end counts), read as bytes: the progress total. */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) lines++;
      if (chunk.length) last = chunk[chunk.length - 1]!;
    }
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, { usageHint: false });
  }
  return last === 10 ? lines : lines + 1;
}

/** The audit entry of a batch, committed with it: who loaded which lines of which file, and the patient ids created. */
function auditBatch(file: string, actor: string, rows: readonly ImportRecord[]): BatchFinish {
  return async (trx, r) => {
    const ids = r.patientIds.filter((id): id is number => id !== undefined);
    await auditCli(trx, 'patient import', actor, {
      action: 'create', entityType: 'patient-import', detail: {
        file: basename(file), lines: `${rows[0]!.line}-${rows[rows.length - 1]!.line}`, imported: ids.length, skipped: r.existing.length,
        patientIds: ids.length ? [ids.reduce((a, b) => Math.min(a, b)), ids.reduce((a, b) => Math.max(a, b))] : [],
      },
    });
  };
}

async function importFile(loader: PatientLoader, file: string, batchSize: number, total: number, actor: string): Promise<ImportTally> {
  const tally: ImportTally = { imported: 0, existing: 0, rejected: 0, ssnReduced: 0, existingLines: [] };
  const progress = progressReporter(total, process.stderr);
  const at = Date.now();
  const reader = csvReader();
  let header: ImportHeader | undefined;
  let batch: ImportRecord[] = [];
  let done = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    const r = await loader.load(rows, { sourceEntryId: null, at }, auditBatch(file, actor, rows)).catch((err: unknown) => {
      const range = `lines ${rows[0]!.line}-${rows[rows.length - 1]!.line}`;
      throw Object.assign(new Error(`the batch of ${range} was not imported (earlier batches were; a re-run skips them): ${(err as Error).message}`), { code: 'import_failed', cause: err });
    });
    tally.imported += r.patientIds.filter((id) => id !== undefined).length;
    tally.existing += r.existing.length;
    for (const i of r.existing.slice(0, 10 - tally.existingLines.length)) tally.existingLines.push(rows[i]!.line);
    progress.update(done);
  };
  const take = (rec: CsvRecord) => {
    if (!header) {
      const h = readImportHeader(rec.cells);
      if (!h.ok) throw new CliError(`${file} line ${rec.line}: ${h.message}`, { usageHint: false });
      header = h.header;
      return;
    }
    done++;
    const r = rec.error ? { ok: false as const, line: rec.line, message: rec.error } : readImportRow(header, rec.cells, rec.line);
    if (r.ok) {
      batch.push(r.record);
      if (r.record.ssnReduced) tally.ssnReduced++;
    } else if (++tally.rejected <= MAX_ROW_MESSAGES) progress.message(`line ${r.line}: ${r.message}`);
    if (done % 1000 === 0) progress.update(done);
  };

  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
    for (const rec of reader.push(chunk)) {
      take(rec);
      if (batch.length >= batchSize) await flush();
    }
  }
  for (const rec of reader.end()) take(rec);
  if (!header) throw new CliError(`${file} is empty (a header row is needed: ${IMPORT_COLUMNS.join(',')})`, { usageHint: false });
  await flush();
  progress.finish(done);
  return tally;
}

function report(t: ImportTally): void {
  const n = (x: number, noun: string) => `${x.toLocaleString('en-US')} ${noun}${x === 1 ? '' : 's'}`;
  const lines = [`imported ${n(t.imported, 'patient')}`];
  if (t.existing) lines.push(`skipped ${n(t.existing, 'row')} whose identifier a patient already holds (line ${t.existingLines.join(', ')}${t.existing > t.existingLines.length ? ', ...' : ''})`);
  if (t.ssnReduced) lines.push(`${n(t.ssnReduced, 'row')} carried a full SSN: only its last four digits were kept`);
  if (t.rejected) lines.push(`rejected ${n(t.rejected, 'bad row')}${t.rejected > MAX_ROW_MESSAGES ? ` (the first ${MAX_ROW_MESSAGES} are listed above)` : ' (listed above)'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface Progress {
  update(done: number): void;
  message(text: string): void;
  finish(done: number): void;
}

/** Rows done / total, rate and ETA on stderr: a redrawn bar on a terminal, else a line every 5 s. */
function progressReporter(total: number, stream: NodeJS.WriteStream): Progress {
  const start = performance.now();
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  let shown = -1;
  const line = (done: number) => progressLine(done, total, (performance.now() - start) / 1000, tty ? 30 : 0);
  const draw = (done: number) => {
    if (tty) stream.write(`\r\x1b[K${line(done)}`);
    else stream.write(`${line(done)}\n`);
    drawn = tty;
    shown = done;
  };
  return {
    update(done) {
      const now = performance.now();
      if (now - last < (tty ? 200 : 5000)) return;
      last = now;
      draw(done);
    },
    message(text) {
      stream.write(`${drawn ? '\r\x1b[K' : ''}${text}\n`);
      drawn = false;
    },
    finish(done) {
      if (tty || shown !== done) draw(done);
      if (tty) stream.write('\n');
    },
  };
}

/** "[#####-----] 500,000/1,000,000 50% 41,210 rows/s ETA 12s" (no bar when width is 0). Pure. */
export function progressLine(done: number, total: number, seconds: number, width: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const rate = seconds > 0 ? done / seconds : 0;
  const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
  const filled = Math.round(share * width);
  const bar = width > 0 ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : 'import: ';
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return `${bar}${n(done)}/${n(total)} rows ${Math.floor(share * 100)}% ${n(rate)} rows/s ETA ${clock(eta)}`;
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
