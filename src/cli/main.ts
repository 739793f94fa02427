#!/usr/bin/env node
import { ConfigError } from '../config.js';
import { runAudit } from './audit.js';
import { careVerbs } from './care.js';
import { runPatient, runReview } from './identity.js';
import { runMessages } from './messages.js';
import { runSend } from './send.js';
import { runServe } from './serve.js';
import { CliError } from './args.js';
import { KEYS_USAGE, runKeys } from './keys.js';
import { ALERTS_USAGE, runAlerts, runRules } from './alerts.js';

const USAGE = `carecoord — care coordination platform

Usage:
  carecoord serve [--data-dir DIR] [--mllp-port P] [--mllp-host H] [--http-port Q] [--http-host H] [--config FILE]
  carecoord send FILE... [--host H] [--port P] [--tls] [--ca FILE] [--cert FILE] [--key FILE] [--insecure]
                         [--timeout MS] [--json]
  carecoord messages [--data-dir DIR] [--control-id ID] [--status S] [--type T] [--limit N] [--json]
  carecoord messages show ID [--data-dir DIR] [--raw | --json]
  carecoord messages reprocess ID [--data-dir DIR]
  carecoord review [list] [--status open|linked|separate] [--limit N] [--json]
  carecoord review show ID [--json]
  carecoord review link ID --to PATIENT [--by NAME] [--note TEXT]
  carecoord review separate|undo ID [--by NAME] [--note TEXT]
  carecoord patient show ID [--json] | find --mrn VALUE --authority AUTHORITY [--json]
  carecoord patient merge SURVIVOR MERGED [--by NAME] [--note TEXT] | unmerge MERGE_ID [--by NAME]
  carecoord patient import FILE [--batch N] [--by NAME]   (bulk load, no matching: patient import --help)
  (review and patient also take --data-dir DIR)

Care administration (also --data-dir DIR, --json, --actor NAME; PATIENT is --patient ID or --mrn VALUE --authority AUTH;
USER an id or username; TIME "now", YYYY-MM-DD or 2026-12-01T09:30Z):
  carecoord user add --username U --name NAME --roles R[,R...] [--email E] [--phone P]
  carecoord user list [--status active|disabled] [--role R]
  carecoord user disable USER
  carecoord user set-password USER --password-stdin   (or a no-echo prompt on a terminal; never a flag)
  carecoord user reset-password USER                   (a one-time password, printed once; changed at next sign-in)
  carecoord user set-role USER --roles R[,R...] | mfa-reset USER | sessions USER | logout-all USER
  carecoord episode add PATIENT --type T [--status planned|active] [--coordinator USER] [--goal TEXT]
                        [--start TIME] [--end TIME]
  carecoord episode list PATIENT [--status S[,S]]
  carecoord episode show EPISODE
  carecoord episode set-status EPISODE STATUS [--end TIME]
  carecoord team add EPISODE USER --role R [--primary]
  carecoord team remove MEMBER
  carecoord team list EPISODE [--all]
  carecoord plan goal-add EPISODE --description TEXT [--target DATE] [--status proposed|active]
  carecoord plan goal-set GOAL [--status S] [--target DATE|none] [--description TEXT]
  carecoord plan intervention-add EPISODE --description TEXT [--discipline D]
  carecoord plan schedule-add EPISODE --visit-type T --every DAYS --start DATE [--end DATE] [--discipline D]
                              (--assignee USER | --assignee-role ROLE)
  carecoord plan schedule-hold (SCHEDULE | --episode EPISODE) --reason TEXT
  carecoord plan schedule-release (SCHEDULE | --episode EPISODE [--reason TEXT]) [--tz ZONE]
  carecoord plan show EPISODE [--today DATE] [--tz ZONE]
  carecoord task add PATIENT --title T (--assignee USER | --assignee-role ROLE) [--episode EPISODE] [--due TIME]
                     [--priority low|normal|high|urgent] [--description TEXT]
  carecoord task list (--assignee USER | --assignee-role ROLE | PATIENT) [--status S[,S]]
  carecoord task complete TASK [--note TEXT]
  carecoord task reassign TASK (--assignee USER | --assignee-role ROLE)
  carecoord task cancel TASK [--reason TEXT]

Audit trail (privacy officer; also --data-dir DIR):
  carecoord audit verify [--pin ID:HASH]... [--json]        exit 0 when intact, 1 at the first altered/removed/inserted entry
  carecoord audit report [--user U] [--patient ID] [--since TIME] [--until TIME] [--action A] [--entity T]
                         [--outcome success|denied|failed] [--limit N] [--csv | --json]   (itself audited)
  carecoord audit prune [--retention-days N]                 remove entries older than N days (default and floor: 2192)

${KEYS_USAGE}

${ALERTS_USAGE}

Environment: DATABASE_URL (postgres://... switches from SQLite to PostgreSQL), CARECOORD_DATA_DIR,
CARECOORD_MLLP_PORT, CARECOORD_HTTP_PORT and the others listed in the README.`;

/** The underlying reason (a TLS certificate error, ECONNRESET...), which the coded error wraps. */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { message?: string; code?: string } }).cause;
  if (!cause?.message) return '';
  return `\n  cause: ${cause.message}${cause.code ? ` (${cause.code})` : ''}`;
}

const verbs: Record<string, (args: string[]) => Promise<number>> = {
  serve: runServe,
  send: runSend,
  messages: runMessages,
  review: runReview,
  patient: runPatient,
  ...careVerbs,
  audit: runAudit,
  keys: runKeys,
  rules: runRules,
  alerts: runAlerts,
};

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return verb ? 0 : 2;
  }
  const run = verbs[verb];
  if (!run) {
    process.stderr.write(`carecoord: unknown command "${verb}"\n\n${USAGE}\n`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError || err instanceof ConfigError) {
      const hint = err instanceof CliError && err.showUsageHint ? '(carecoord help shows the usage)\n' : '';
      process.stderr.write(`carecoord: ${err.message}\n${hint}`);
      process.exitCode = 2;
      return;
    }
    const code = (err as { code?: unknown })?.code;
    // Known failures (a refused connection, a timeout) carry a code: say what happened, no stack.
    if (typeof code === 'string') process.stderr.write(`carecoord: ${(err as Error).message} (${code})${causeOf(err)}\n`);
    else process.stderr.write(`carecoord: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
