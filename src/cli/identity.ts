import { userInfo } from 'node:os';
import { loadConfig } from '../config.js';
import { mergePatients, unmergePatients } from '../identity/merge.js';
import { linkReview, listReviewQueue, separateReview, showReview, undoReview, type ReviewView } from '../identity/review.js';
import { listDecisions, openReviewsOf, ReviewStatus } from '../store/identity.js';
import { mergesOfPatient } from '../store/merges.js';
import { openStore, type Store } from '../store/open.js';
import { findByIdentifier, getPatient, listIdentifiers } from '../store/patients.js';
import { CliError, parse, STORE_OPTIONS } from './args.js';
import { auditCli, auditReview, cliActor, inAuditedTransaction } from './audit-calls.js';
import { runPatientImport } from './patient-import.js';

/**
 * `carecoord review ...` (the identity review queue) and `carecoord patient ...` (lookup, merge,
 * unmerge). Every decision names who took it (--by, default the OS user) and is logged with a time.
 * Works beside a running server on the same --data-dir / DATABASE_URL.
 */

const OPTIONS = {
  ...STORE_OPTIONS,
  json: { type: 'boolean', default: false },
  by: { type: 'string' },
  note: { type: 'string' },
  to: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string', default: '100' },
  mrn: { type: 'string' },
  authority: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];
type Db = Store['db'];

async function withStore(values: Values, work: (db: Db) => Promise<number>): Promise<number> {
  const config = loadConfig(process.env, { 'data-dir': values['data-dir'], config: values.config });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await inAuditedTransaction(store.db, work);
  } finally {
    await store.close();
  }
}

function id(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n <= 0) throw new CliError(`${what} must be a positive integer`);
  return n;
}

const who = (values: Values): string => values.by || userInfo().username || 'cli';
const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19));
const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const json = (value: unknown) => out(JSON.stringify(value));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

/** `carecoord review list|show ID|link ID --to PATIENT|separate ID|undo ID [--by NAME] [--note TEXT]`. */
export async function runReview(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, OPTIONS, true);
  const [sub = 'list', idText] = positionals;
  const at = Date.now();
  const decision = () => ({ reviewId: id(idText, `review ${sub} ID`), by: who(values), at, note: values.note });
  return withStore(values, async (db) => {
    if (sub === 'show') await auditReview(db, 'review show', values.by, id(idText, 'review show ID'), { action: 'read' });
    switch (sub) {
      case 'list': return reviewList(db, values);
      case 'show': return reviewShow(await showReview(db, id(idText, 'review show ID')), values.json ?? false);
      case 'link': {
        const r = await linkReview(db, { ...decision(), to: id(values.to, '--to PATIENT') });
        await auditReview(db, 'review link', values.by, decision().reviewId, { action: 'update', detail: { decision: 'link', mergeId: r.mergeId } }, [r.survivorId]);
        out(`review ${idText} linked: patient merged into patient ${r.survivorId} (merge ${r.mergeId})`);
        return 0;
      }
      case 'separate': {
        const r = await separateReview(db, decision());
        await auditReview(db, 'review separate', values.by, decision().reviewId, { action: 'update', detail: { decision: 'separate' } }, [r.patientId]);
        out(`review ${idText} decided: patient ${r.patientId} is a patient of its own`);
        return 0;
      }
      case 'undo': {
        const r = await undoReview(db, decision());
        await auditReview(db, 'review undo', values.by, decision().reviewId, { action: 'update', detail: { undone: r.undone } });
        out(`review ${idText} is open again (undid ${r.undone})`);
        return 0;
      }
      default: throw new CliError(`unknown review sub-command "${sub}" (list, show, link, separate, undo)`);
    }
  });
}

async function reviewList(db: Db, values: Values): Promise<number> {
  const status = values.status as ReviewStatus | undefined;
  if (status && !(Object.values(ReviewStatus) as string[]).includes(status)) throw new CliError(`--status must be one of ${Object.values(ReviewStatus).join(', ')}`);
  const limit = id(values.limit, '--limit');
  const rows = await listReviewQueue(db, { status, limit });
  if (values.json) {
    for (const r of rows) json(r);
    return 0;
  }
  out(table(['ID', 'STATUS', 'CREATED', 'PATIENT', 'BEST', 'WEIGHT', 'GRADE', 'CANDIDATES', 'DECIDED BY'],
    rows.map((r) => [String(r.id), r.status, time(r.createdAt), String(r.patientId), r.best ? String(r.best.patientId) : '-', r.best ? r.best.weight.toFixed(1) : '-', r.best?.grade ?? '-', String(r.candidateCount), r.decidedBy ?? '-'])));
  if (rows.length === 0) out('(no reviews)');
  return 0;
}

function reviewShow(v: ReviewView, asJson: boolean): number {
  if (asJson) {
    json(v);
    return 0;
  }
  out(`review ${v.id}: ${v.status}${v.decision ? ` (${v.decision} by ${v.decidedBy} at ${time(v.decidedAt)})` : ''}`);
  out(`record on patient ${v.patientId} (${v.patientStatus}), received ${time(v.createdAt)}${v.sourceEntryId === null ? '' : ` in log entry ${v.sourceEntryId}`}`);
  out(`identifiers: ${v.incoming.identifiers.map((i) => `${i.value}^${i.authority}`).join(', ') || '-'}`);
  out(`why: ${v.incoming.reason}; ${v.incoming.compared} compared${v.incoming.capped ? ' (candidate lookup capped)' : ''}`);
  for (const c of v.candidates) {
    out(`\ncandidate patient ${c.patientId} (${c.statusNow}${c.mergedIntoNow ? ` into ${c.mergedIntoNow}` : ''}): ${c.grade}, weight ${c.weight.toFixed(2)}, probability ${c.probability.toFixed(4)}`);
    out(table(['FIELD', 'INCOMING', 'CANDIDATE', 'LEVEL', 'WEIGHT'], c.rows.map((r) => [r.field, r.incoming || '-', r.candidate || '-', r.level || '-', r.weight.toFixed(2)])).replace(/^/gm, '  '));
  }
  if (v.decisions.length) out(`\ndecisions:\n${v.decisions.map((d) => `  ${time(d.at)}  ${d.action} by ${d.by}${d.note ? `: ${d.note}` : ''}`).join('\n')}`);
  return 0;
}

/** `carecoord patient show ID|find --mrn V --authority A|merge SURVIVOR MERGED|unmerge MERGE_ID|import FILE` (patient-import.ts). */
export async function runPatient(args: string[]): Promise<number> {
  if (args[0] === 'import') return runPatientImport(args.slice(1));
  const { values, positionals } = parse(args, OPTIONS, true);
  const [sub, a, b] = positionals;
  return withStore(values, async (db) => {
    switch (sub) {
      case 'show': return patientShow(db, id(a, 'patient show ID'), values.json ?? false);
      case 'find': return patientFind(db, values);
      case 'merge': {
        const r = await mergePatients(db, { survivorId: id(a, 'SURVIVOR'), mergedId: id(b, 'MERGED'), source: 'admin', sourceEntryId: null, decidedBy: who(values), at: Date.now(), note: values.note });
        await auditCli(db, 'patient merge', cliActor(values.by), { action: 'create', entityType: 'patient-merge', entityId: r.mergeId, patientId: [r.survivorId, r.mergedId] });
        const moved = Object.entries(r.moved).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ');
        out(`merge ${r.mergeId}: patient ${r.mergedId} merged into patient ${r.survivorId} (moved: ${moved || 'nothing'})`);
        return 0;
      }
      case 'unmerge': {
        const r = await unmergePatients(db, id(a, 'MERGE_ID'), who(values), Date.now(), values.note);
        await auditCli(db, 'patient unmerge', cliActor(values.by), { action: 'update', entityType: 'patient-merge', entityId: r.mergeId, patientId: [r.survivorId, r.restoredId], detail: { reversed: true } });
        out(`merge ${r.mergeId} reversed: patient ${r.restoredId} restored${r.reopenedReviews.length ? `; review ${r.reopenedReviews.join(', ')} open again` : ''}`);
        return 0;
      }
      default: throw new CliError(`unknown patient sub-command "${sub ?? ''}" (show, find, merge, unmerge, import)`);
    }
  });
}

async function patientFind(db: Db, values: Values): Promise<number> {
  if (!values.mrn || values.authority === undefined) throw new CliError('patient find needs --mrn VALUE --authority AUTHORITY');
  const p = await findByIdentifier(db, values.authority, values.mrn);
  await auditCli(db, 'patient find', cliActor(values.by), { action: 'search', entityType: 'patient', entityId: p?.id ?? null, patientId: p?.id ?? null, detail: { authority: values.authority, mrn: values.mrn, found: p !== undefined } });
  if (!p) {
    process.stderr.write(`no patient holds ${values.mrn} of authority ${values.authority}\n`);
    return 1;
  }
  return patientShow(db, p.id, values.json ?? false);
}

async function patientShow(db: Db, patientId: number, asJson: boolean): Promise<number> {
  const p = await getPatient(db, patientId);
  if (!p) throw new CliError(`no patient ${patientId}`, { usageHint: false });
  const info = {
    ...p, identifiers: await listIdentifiers(db, patientId), merges: await mergesOfPatient(db, patientId),
    openReviews: (await openReviewsOf(db, patientId)).map((r) => r.id), decisions: await listDecisions(db, { patientId }),
  };
  await auditCli(db, 'patient show', cliActor(), { action: 'read', entityType: 'patient', entityId: patientId, patientId });
  if (asJson) {
    json(info);
    return 0;
  }
  const d = p.demographics;
  const name = d.names[0];
  const address = d.addresses[0];
  out(`patient ${p.id}: ${p.status}${p.mergedInto ? ` (merged into patient ${p.mergedInto})` : ''}`);
  out(`name        ${name ? `${name.family}, ${name.given}${name.middle ? ` ${name.middle}` : ''}` : '-'}`);
  out(`birth date  ${d.birthDate ?? '-'}   sex ${d.sex ?? '-'}`);
  out(`address     ${address ? [address.line, address.city, address.state, address.postcode].filter(Boolean).join(', ') : '-'}`);
  out(`identifiers ${info.identifiers.map((i) => `${i.value}^${i.authority}${i.typeCode ? ` (${i.typeCode})` : ''}`).join(', ') || '-'}`);
  for (const m of info.merges) {
    const role = m.survivorId === p.id ? `absorbed patient ${m.mergedId}` : `merged into patient ${m.survivorId}`;
    out(`merge ${m.id}  ${time(m.mergedAt)}  ${role} (${m.source}, by ${m.decidedBy ?? '-'})${m.reversedAt ? `, reversed ${time(m.reversedAt)} by ${m.reversedBy}` : ''}`);
  }
  if (info.openReviews.length) out(`open review ${info.openReviews.join(', ')}`);
  return 0;
}
