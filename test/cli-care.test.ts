import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestPatient } from '../src/store/care/test-fixtures.js';
import { dbEnv, killStrayCli, parseJsonLines, runCli, type CliResult } from './support/cli.js';
import { DIALECTS, freshDatabase, type TestDatabase } from './support/stores.js';

const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe.each(DIALECTS)('carecoord care administration verbs on %s', (dialect) => {
  let tdb: TestDatabase | undefined;
  let env: Record<string, string> = {};
  let patientId = 0;

  /** Run a verb against the test database as actor "admin:test". */
  const cc = (...args: string[]): Promise<CliResult> => runCli([...args, '--data-dir', tdb!.dataDir, '--actor', 'admin:test'], { ...env, TZ: 'UTC' });

  async function ok(...args: string[]): Promise<string> {
    const r = await cc(...args);
    expect({ args, stderr: r.stderr, code: r.code }).toEqual({ args, stderr: '', code: 0 });
    return r.stdout;
  }
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T[]> => parseJsonLines<T>(await ok(...args, '--json'));
  const one = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => (await json<T>(...args))[0]!;

  beforeEach(async () => {
    tdb = await freshDatabase(dialect);
    env = dbEnv(tdb);
    const store = await tdb.open();
    try {
      patientId = await insertTestPatient(store.db, { mrn: 'MRN-CARE-1', authority: 'GENHOSP' });
    } finally {
      await store.close();
    }
  });

  afterEach(async () => {
    killStrayCli();
    await tdb?.cleanup();
    tdb = undefined;
  });

  it('sets up users, an episode found by MRN, its team and plan, and shows them as tables', async () => {
    expect(await ok('user', 'add', '--username', 'JDoe', '--name', 'Jane Doe', '--roles', 'coordinator,supervisor', '--email', 'jane@example.org'))
      .toMatch(/^user \d+ added: jdoe \(coordinator, supervisor\)\n$/);
    const nurse = await one<{ id: number; username: string; status: string }>('user', 'add', '--username', 'nurse1', '--name', 'Nick Nurse', '--roles', 'field-clinician');
    expect(nurse).toMatchObject({ username: 'nurse1', status: 'active' });
    const users = (await ok('user', 'list')).trimEnd().split('\n');
    expect(users[0]).toMatch(/^ID +USERNAME +NAME +ROLES +STATUS +EMAIL +PHONE$/);
    expect(users.slice(1).map((l) => l.split(/ {2,}/).slice(1, 5))).toEqual([
      ['jdoe', 'Jane Doe', 'coordinator,supervisor', 'active'],
      ['nurse1', 'Nick Nurse', 'field-clinician', 'active'],
    ]);

    const episode = await one<{ id: number; patientId: number; status: string; startAt: number; createdBy: string }>(
      'episode', 'add', '--mrn', 'MRN-CARE-1', '--authority', 'GENHOSP', '--type', 'home-health', '--status', 'active',
      '--coordinator', 'jdoe', '--start', '2026-12-01', '--goal', 'Wound healed');
    expect(episode).toMatchObject({ patientId, status: 'active', startAt: Date.UTC(2026, 11, 1), createdBy: 'admin:test' });
    const e = String(episode.id);
    expect(await ok('team', 'add', e, 'nurse1', '--role', 'field-clinician')).toMatch(new RegExp(`^nurse1 added to episode ${e} as field-clinician: member \\d+\\n$`));
    const team = (await ok('team', 'list', e)).trimEnd().split('\n');
    expect(team[0]).toMatch(/^MEMBER +USER +NAME +ROLE +PRIMARY +FROM +TO$/);
    const time = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ';
    expect(team[1]).toMatch(new RegExp(`^\\d+ +jdoe +Jane Doe +care-coordinator +yes +${time} +-$`));
    expect(team[2]).toMatch(new RegExp(`^\\d+ +nurse1 +Nick Nurse +field-clinician +${time} +-$`));

    const goal = await one<{ id: number; status: string }>('plan', 'goal-add', e, '--description', 'Wound closed', '--target', '2026-12-20');
    expect((await one('plan', 'goal-set', String(goal.id), '--status', 'active', '--target', 'none'))).toMatchObject({ status: 'active', targetDate: null });
    await ok('plan', 'intervention-add', e, '--description', 'Teach dressing changes', '--discipline', 'nursing');
    const schedule = await one<{ id: number }>('plan', 'schedule-add', e, '--visit-type', 'skilled-nursing', '--every', '2', '--start', '2026-12-01', '--assignee', 'nurse1');

    const plan = await ok('plan', 'show', e, '--today', '2026-12-06', '--tz', 'UTC');
    expect(plan).toContain(`episode ${e} (home-health, active), patient ${patientId}\n`);
    expect(plan).toMatch(new RegExp(`\\n${goal.id} +active +- +Wound closed\\n`));
    expect(plan).toMatch(/\n\d+ +active +nursing +Teach dressing changes\n/);
    expect(plan).toMatch(new RegExp(`\\n${schedule.id} +skilled-nursing +- +nurse1 +2d +2026-12-01 +- +active +2026-12-07 +2026-12-01,2026-12-03,2026-12-05\\n`));

    const episodes = (await ok('episode', 'list', '--patient', String(patientId))).trimEnd().split('\n');
    expect(episodes[1]).toMatch(new RegExp(`^${e} +home-health +active +2026-12-01 00:00Z +- +jdoe +Wound healed$`));
    const shown = await ok('episode', 'show', e);
    expect(shown).toMatch(/^status +active$/m);
    expect(shown).toContain('\nencounters during the episode:\n');
    expect(shown).toMatch(/ admin:test +episode \d+ +created /);
  });

  it('holds and releases the visit schedules of an episode, one or all', async () => {
    await ok('user', 'add', '--username', 'coord', '--name', 'C', '--roles', 'coordinator');
    const e = String((await one<{ id: number }>('episode', 'add', '--patient', String(patientId), '--type', 'post-acute', '--status', 'active', '--coordinator', 'coord')).id);
    const start = isoDate(Date.now() - 3 * DAY);
    const a = await one<{ id: number }>('plan', 'schedule-add', e, '--visit-type', 'pt', '--every', '7', '--start', start, '--assignee-role', 'field-clinician');
    const b = await one<{ id: number }>('plan', 'schedule-add', e, '--visit-type', 'sn', '--every', '2', '--start', start, '--assignee-role', 'field-clinician');

    expect(await ok('plan', 'schedule-hold', String(a.id), '--reason', 'patient travelling')).toBe(`1 visit schedule(s) on hold: ${a.id}\n`);
    expect(await ok('plan', 'schedule-hold', '--episode', e, '--reason', 'inpatient-admission')).toBe(`1 visit schedule(s) on hold: ${b.id}\n`);
    expect(await ok('plan', 'show', e)).toMatch(new RegExp(`\\n${b.id} +sn +- +role field-clinician +2d .* on-hold \\(inpatient-admission\\) +- +`));
    expect(await ok('plan', 'schedule-release', '--episode', e, '--reason', 'inpatient-admission')).toBe(`1 visit schedule(s) released: ${b.id}\n`);
    expect(await ok('plan', 'schedule-release', String(a.id))).toBe(`1 visit schedule(s) released: ${a.id}\n`);
    expect((await one<{ schedules: { status: string }[] }>('plan', 'show', e)).schedules.map((s) => s.status)).toEqual(['active', 'active']);
  });

  it('adds, lists (overdue first), reassigns, completes and cancels tasks', async () => {
    await ok('user', 'add', '--username', 'coord', '--name', 'C', '--roles', 'coordinator');
    await ok('user', 'add', '--username', 'nurse', '--name', 'N', '--roles', 'field-clinician');
    const e = String((await one<{ id: number }>('episode', 'add', '--patient', String(patientId), '--type', 'post-acute', '--status', 'active', '--coordinator', 'coord')).id);
    await ok('team', 'add', e, 'nurse', '--role', 'field-clinician');
    const p = ['--mrn', 'MRN-CARE-1', '--authority', 'GENHOSP'];
    const later = await one<{ id: number }>('task', 'add', ...p, '--episode', e, '--title', 'Later', '--assignee', 'nurse', '--due', isoDate(Date.now() + 3 * DAY));
    const overdue = await one<{ id: number; priority: string }>('task', 'add', ...p, '--title', 'Overdue', '--assignee', 'nurse', '--due', '2020-01-01T08:00Z', '--priority', 'low');
    expect(await ok('task', 'add', '--patient', String(patientId), '--title', 'Pool', '--assignee-role', 'care-coordinator')).toMatch(/^task \d+ created for patient \d+, assigned to role care-coordinator\n$/);

    const list = (await ok('task', 'list', '--assignee', 'nurse')).trimEnd().split('\n');
    expect(list[0]).toMatch(/^ID +PATIENT +EPISODE +PRIORITY +STATUS +DUE +ASSIGNEE +TITLE$/);
    expect(list.slice(1).map((l) => l.split(/ +/)[0])).toEqual([String(overdue.id), String(later.id)]);
    expect(list[1]).toMatch(/ low +open +2020-01-01 08:00Z OVERDUE +nurse +Overdue$/);

    expect(await ok('task', 'reassign', String(later.id), '--assignee', 'coord')).toBe(`task ${later.id} reassigned to coord\n`);
    expect(await one('task', 'complete', String(overdue.id), '--note', 'Called, all fine')).toMatchObject({ status: 'completed', completedBy: 'admin:test', completionNote: 'Called, all fine' });
    expect(await ok('task', 'cancel', String(later.id), '--reason', 'duplicate')).toBe(`task ${later.id} cancelled\n`);
    expect((await json<{ title: string; status: string }>('task', 'list', ...p)).map((t) => [t.title, t.status])).toEqual([['Pool', 'open'], ['Overdue', 'completed'], ['Later', 'cancelled']]);
    expect(await ok('task', 'list', '--assignee', 'nurse')).toMatch(/\n\(no tasks\)\n$/);
  });

  it('exits 2 with one clear line for bad input, unknown ids and refused changes', async () => {
    await ok('user', 'add', '--username', 'coord', '--name', 'C', '--roles', 'coordinator');
    const e = String((await one<{ id: number }>('episode', 'add', '--patient', String(patientId), '--type', 'hospice', '--status', 'active', '--coordinator', 'coord')).id);
    const cases: [string[], RegExp][] = [
      [['episode', 'add', '--patient', String(patientId), '--type', 'spa'], /^carecoord: type must be one of post-acute, home-health, .*, other\n$/],
      [['episode', 'add', '--mrn', 'NOPE', '--authority', 'GENHOSP', '--type', 'other'], /^carecoord: no patient has identifier NOPE of authority GENHOSP\n$/],
      [['episode', 'add', '--type', 'other'], /^carecoord: name the patient: --patient ID, or --mrn VALUE --authority AUTH\n\(carecoord help shows the usage\)\n$/],
      [['episode', 'add', '--patient', String(patientId), '--type', 'other', '--start', 'yesterday'], /^carecoord: --start must be "now", a date YYYY-MM-DD/],
      [['episode', 'set-status', e, 'planned'], new RegExp(`^carecoord: episode ${e} cannot go from active to planned\\n$`)],
      [['episode', 'show', '999'], /^carecoord: episode 999 does not exist\n$/],
      [['episode'], /^carecoord: episode needs a sub-command: add, list, show, set-status\n/],
      [['user', 'add', '--username', 'coord', '--name', 'X', '--roles', 'admin'], /^carecoord: username coord is already taken\n$/],
      [['user', 'add', '--username', 'x1', '--name', 'X', '--roles', 'root'], /^carecoord: roles must be one of coordinator, /],
      [['user', 'disable', 'coord'], new RegExp(`^carecoord: user \\d+ is the primary care coordinator of episode ${e}: assign another primary first\\n$`)],
      [['team', 'add', e, 'ghost', '--role', 'specialist'], /^carecoord: user ghost does not exist\n$/],
      [['task', 'add', '--patient', String(patientId), '--title', 'x'], /^carecoord: give exactly one of --assignee USER and --assignee-role ROLE\n/],
      [['task', 'list'], /^carecoord: task list needs --assignee USER, --assignee-role ROLE, --patient ID or --mrn VALUE --authority AUTH\n/],
      [['plan', 'schedule-add', e, '--visit-type', 'sn', '--every', '0', '--start', '2026-12-01', '--assignee-role', 'field-clinician'], /^carecoord: everyDays must be a whole number from 1 to 365\n$/],
      [['plan', 'goal-add', e, '--bogus'], /^carecoord: Unknown option '--bogus'/],
    ];
    for (const [args, stderr] of cases) {
      const r = await cc(...args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(stderr);
    }
  });
});
