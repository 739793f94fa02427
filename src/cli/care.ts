import { userInfo } from 'node:os';
import {
  activeCareTeamOfPatient, addGoal, addIntervention, addSchedule, addTeamMember, addUser, cancelTask, CareError, completeTask, createEpisode,
  createTask, disableUser, getCarePlan, getEpisode, getUser, holdSchedule, holdSchedules, listAssigneeTasks, listEpisodeChanges, listEpisodeEncounters,
  listPastDueVisits, listPatientEpisodes, listPatientTasks, listTeam, listUsers, localDate, nextDueDate, reassignTask, releaseSchedule,
  releaseSchedules, removeTeamMember, setEpisodeStatus, updateGoal, type Assignee, type Task, type User,
} from '../care/index.js';
import { loadConfig } from '../config.js';
import type { CareDb } from '../store/care/db.js';
import { findPatientIdByIdentifier } from '../store/care/patients.js';
import { openStore } from '../store/open.js';
import { CliError, parse } from './args.js';
import { auditCare, inAuditedTransaction } from './audit-calls.js';
import { runUserAuth, USER_AUTH_COMMANDS } from './user-auth.js';

/**
 * Administration of care data beside a running server (same --data-dir / DATABASE_URL):
 * `carecoord user|episode|team|plan|task SUB ...`. Tables by default, one JSON object per line with
 * --json. Bad input (a CareError or a bad argument) exits 2 with its message.
 */
type Values = { [name: string]: string | boolean | (string | boolean)[] | undefined };
type Options = NonNullable<Parameters<typeof parse>[1]>;
interface Call {
  db: CareDb;
  values: Values;
  /** Positionals after the sub-command. */
  args: string[];
  actor: string;
  now: number;
  json: boolean;
}
type Sub = (call: Call) => Promise<number>;

const COMMON: Options = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  actor: { type: 'string' },
};
const PATIENT: Options = { patient: { type: 'string' }, mrn: { type: 'string' }, authority: { type: 'string' } };
const ASSIGNEE: Options = { assignee: { type: 'string' }, 'assignee-role': { type: 'string' } };

function verb(name: string, options: Options, subs: Record<string, Sub>): (argv: string[]) => Promise<number> {
  return async (argv) => {
    const { values, positionals } = parse(argv, { ...COMMON, ...options }, true);
    const [sub, ...args] = positionals;
    const run = sub ? subs[sub] : undefined;
    if (!run) throw new CliError(`${name} needs a sub-command: ${Object.keys(subs).join(', ')}`);
    const config = loadConfig(process.env, { 'data-dir': values['data-dir'] as string | undefined, config: values.config as string | undefined });
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    try {
      const actor = (values.actor as string | undefined) ?? `cli:${userInfo().username}`;
      return await inAuditedTransaction(store.db, (db) => run({ db, values, args, actor, now: Date.now(), json: values.json === true }));
    } catch (err) {
      if (err instanceof CareError) throw new CliError(err.message, { usageHint: false });
      throw err;
    } finally {
      await store.close();
    }
  };
}

// ---- argument readers -------------------------------------------------------------------------

const str = (c: Call, name: string): string | undefined => c.values[name] as string | undefined;

function need(c: Call, name: string): string {
  const v = str(c, name);
  if (v === undefined || v === '') throw new CliError(`--${name} is required`);
  return v;
}

function idArg(text: string | undefined, what: string): number {
  const n = Number(text);
  if (!text || !Number.isSafeInteger(n) || n <= 0) throw new CliError(`${what} must be a positive integer id${text ? `, got "${text}"` : ''}`);
  return n;
}

const positional = (c: Call, index: number, what: string): number => idArg(c.args[index], what);

/** 'now', a date (midnight UTC) or an ISO 8601 time (UTC unless it carries an offset). */
function timeArg(text: string | undefined, name: string, now: number): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'now') return now;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms)) throw new CliError(`--${name} must be "now", a date YYYY-MM-DD or a time like 2026-12-01T09:30Z`);
  return ms;
}

/** A user by id or username. */
async function userArg(c: Call, text: string | undefined, what: string): Promise<User> {
  if (!text) throw new CliError(`${what} is required (a user id or username)`);
  return getUser(c.db, /^\d+$/.test(text) ? Number(text) : text);
}

/** --patient ID, or --mrn VALUE --authority AUTH looked up in the patient's identifiers. */
async function patientArg(c: Call): Promise<number> {
  const [id, mrn, authority] = [str(c, 'patient'), str(c, 'mrn'), str(c, 'authority')];
  if (id !== undefined) {
    if (mrn !== undefined) throw new CliError('give --patient or --mrn, not both');
    return idArg(id, '--patient');
  }
  if (mrn === undefined || authority === undefined) throw new CliError('name the patient: --patient ID, or --mrn VALUE --authority AUTH');
  const found = await findPatientIdByIdentifier(c.db, authority, mrn);
  if (found === undefined) throw new CliError(`no patient has identifier ${mrn} of authority ${authority}`, { usageHint: false });
  return found;
}

async function assigneeArg(c: Call): Promise<{ userId?: number; role?: string }> {
  const [user, role] = [str(c, 'assignee'), str(c, 'assignee-role')];
  if ((user === undefined) === (role === undefined)) throw new CliError('give exactly one of --assignee USER and --assignee-role ROLE');
  return user !== undefined ? { userId: (await userArg(c, user, '--assignee')).id } : { role: role! };
}

// ---- output -----------------------------------------------------------------------------------

const when = (ms: number | null): string => (ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`);
const text = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : v);
type Names = ReadonlyMap<number, string>;
/** Usernames by id, to show assignees by name. */
const userNames = async (c: Call): Promise<Names> => new Map((await listUsers(c.db)).map((u) => [u.id, u.username]));
const who = (a: Assignee, names: Names = new Map()): string => (a.kind === 'user' ? names.get(a.userId) ?? `user ${a.userId}` : `role ${a.role}`);

function table(header: string[], rows: string[][], empty: string): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cols: string[]) => cols.map((col, i) => col.padEnd(widths[i]!)).join('  ').trimEnd();
  return `${[fmt(header), ...rows.map(fmt)].join('\n')}\n${rows.length === 0 ? `(${empty})\n` : ''}`;
}

/** JSON: one line per object. Otherwise the table, or the line. */
function out(c: Call, json: unknown, human: () => string): number {
  if (c.json) for (const item of Array.isArray(json) ? json : [json]) process.stdout.write(`${JSON.stringify(item)}\n`);
  else process.stdout.write(human());
  return 0;
}

// ---- user -------------------------------------------------------------------------------------

const userTable = (users: User[]) => table(['ID', 'USERNAME', 'NAME', 'ROLES', 'STATUS', 'EMAIL', 'PHONE'],
  users.map((u) => [String(u.id), u.username, u.displayName, u.roles.join(','), u.status, text(u.email), text(u.phone)]), 'no users');

export const runUser = verb('user', {
  username: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, phone: { type: 'string' },
  roles: { type: 'string' }, role: { type: 'string' }, status: { type: 'string' },
}, {
  async add(c) {
    const roles = need(c, 'roles').split(',').map((r) => r.trim()).filter(Boolean);
    const user = await addUser(c.db, { username: need(c, 'username'), displayName: need(c, 'name'), email: str(c, 'email'), phone: str(c, 'phone'), roles }, c.now, c.actor);
    await auditCare(c, 'user add', { action: 'permission-change', entityType: 'user', entityId: user.id, detail: { username: user.username, roles: user.roles, status: user.status } });
    return out(c, user, () => `user ${user.id} added: ${user.username} (${user.roles.join(', ')})\n`);
  },
  async list(c) {
    const users = await listUsers(c.db, { status: str(c, 'status'), role: str(c, 'role') });
    return out(c, users, () => userTable(users));
  },
  async disable(c) {
    const user = await userArg(c, c.args[0], 'user disable USER');
    const r = await disableUser(c.db, user.id, c.now, c.actor);
    await auditCare(c, 'user disable', { action: 'permission-change', entityType: 'user', entityId: user.id, detail: { username: user.username, status: 'disabled', endedMemberships: r.endedMemberships.length } });
    return out(c, r, () => `user ${user.id} (${user.username}) disabled; ${r.endedMemberships.length} team membership(s) ended` +
      `${r.pendingTasks > 0 ? `; ${r.pendingTasks} open task(s) still assigned to them: reassign them` : ''}\n`);
  },
});

// ---- episode ----------------------------------------------------------------------------------

export const runEpisode = verb('episode', {
  ...PATIENT, type: { type: 'string' }, goal: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' },
  status: { type: 'string' }, coordinator: { type: 'string' },
}, {
  async add(c) {
    const patientId = await patientArg(c);
    const coordinator = str(c, 'coordinator') === undefined ? undefined : (await userArg(c, str(c, 'coordinator'), '--coordinator')).id;
    const episode = await createEpisode(c.db, {
      patientId, type: need(c, 'type'), goal: str(c, 'goal'), status: str(c, 'status'), coordinatorUserId: coordinator,
      startAt: timeArg(str(c, 'start') ?? 'now', 'start', c.now)!, endAt: timeArg(str(c, 'end'), 'end', c.now),
    }, c.now, c.actor);
    await auditCare(c, 'episode add', { action: 'create', entityType: 'episode', entityId: episode.id, patientId, detail: { status: episode.status } });
    return out(c, episode, () => `episode ${episode.id} created for patient ${patientId}: ${episode.type}, ${episode.status}\n`);
  },
  async list(c) {
    const patientId = await patientArg(c);
    const episodes = await listPatientEpisodes(c.db, patientId, { statuses: str(c, 'status')?.split(',') });
    const team = await activeCareTeamOfPatient(c.db, patientId, { statuses: ['planned', 'active', 'on-hold'] });
    const primary = (id: number) => team.find((m) => m.episodeId === id && m.isPrimary)?.username ?? '-';
    return out(c, episodes, () => table(['ID', 'TYPE', 'STATUS', 'START', 'END', 'COORDINATOR', 'GOAL'],
      episodes.map((e) => [String(e.id), e.type, e.status, when(e.startAt), when(e.endAt), primary(e.id), text(e.goal)]), 'no episodes'));
  },
  async show(c) {
    const episode = await getEpisode(c.db, positional(c, 0, 'episode show EPISODE'));
    const [team, encounters, changes] = [await listTeam(c.db, episode.id), await listEpisodeEncounters(c.db, episode.id), await listEpisodeChanges(c.db, episode.id, 20)];
    return out(c, { ...episode, team, encounters, changes }, () => [
      ...Object.entries({ id: episode.id, patient: episode.patientId, type: episode.type, status: episode.status, start: when(episode.startAt), end: when(episode.endAt), goal: text(episode.goal), createdBy: text(episode.createdBy) })
        .map(([k, v]) => `${k.padEnd(10)} ${v}\n`),
      '\nteam:\n', memberTable(team),
      '\nencounters during the episode:\n', table(['ID', 'FACILITY', 'VISIT', 'CLASS', 'STATUS', 'ADMITTED', 'DISCHARGED'],
        encounters.map((e) => [String(e.id), e.facility, text(e.visitNumber), text(e.patientClass), e.status, when(e.admittedAt), when(e.dischargedAt)]), 'none'),
      '\nlatest changes:\n', table(['AT', 'ACTOR', 'WHAT', 'ACTION', 'DETAIL'],
        changes.map((ch) => [when(ch.at), ch.actor, `${ch.entity} ${ch.entityId}`, ch.action, JSON.stringify(ch.detail)]), 'none'),
    ].join(''));
  },
  async 'set-status'(c) {
    const id = positional(c, 0, 'episode set-status EPISODE STATUS');
    if (!c.args[1]) throw new CliError('episode set-status EPISODE STATUS needs the status');
    const episode = await setEpisodeStatus(c.db, id, c.args[1], c.now, c.actor, { endAt: timeArg(str(c, 'end'), 'end', c.now) });
    await auditCare(c, 'episode set-status', { action: 'update', entityType: 'episode', entityId: episode.id, patientId: episode.patientId, detail: { status: episode.status } });
    return out(c, episode, () => `episode ${episode.id} is now ${episode.status}${episode.endAt !== null ? ` (end ${when(episode.endAt)})` : ''}\n`);
  },
});

// ---- team -------------------------------------------------------------------------------------

const memberTable = (members: Awaited<ReturnType<typeof listTeam>>) => table(['MEMBER', 'USER', 'NAME', 'ROLE', 'PRIMARY', 'FROM', 'TO'],
  members.map((m) => [String(m.id), m.username, m.displayName, m.role, m.isPrimary ? 'yes' : '', when(m.activeFrom), when(m.activeTo)]), 'nobody');

export const runTeam = verb('team', { role: { type: 'string' }, primary: { type: 'boolean', default: false }, all: { type: 'boolean', default: false } }, {
  async add(c) {
    const episodeId = positional(c, 0, 'team add EPISODE USER');
    const user = await userArg(c, c.args[1], 'team add EPISODE USER');
    const started = await addTeamMember(c.db, episodeId, { userId: user.id, role: need(c, 'role'), primary: c.values.primary === true }, c.now, c.actor);
    const added = started[started.length - 1]!;
    await auditCare(c, 'team add', { action: 'create', entityType: 'care-team-member', entityId: added.id, episodeId, detail: { userId: user.id, role: added.role, primary: added.isPrimary } });
    return out(c, started, () => `${user.username} added to episode ${episodeId} as ${added.role}${added.isPrimary ? ' (primary)' : ''}: member ${added.id}\n` +
      started.slice(0, -1).map((m) => `user ${m.userId} is now a non-primary care-coordinator: member ${m.id}\n`).join(''));
  },
  async remove(c) {
    const member = await removeTeamMember(c.db, positional(c, 0, 'team remove MEMBER'), c.now, c.actor);
    await auditCare(c, 'team remove', { action: 'update', entityType: 'care-team-member', entityId: member.id, episodeId: member.episodeId, detail: { userId: member.userId, ended: true } });
    return out(c, member, () => `member ${member.id} (user ${member.userId}, ${member.role}) removed from episode ${member.episodeId}\n`);
  },
  async list(c) {
    const members = await listTeam(c.db, positional(c, 0, 'team list EPISODE'), { includeEnded: c.values.all === true });
    return out(c, members, () => memberTable(members));
  },
});

// ---- plan -------------------------------------------------------------------------------------

const timeZoneOf = (c: Call): string => str(c, 'tz') ?? Intl.DateTimeFormat().resolvedOptions().timeZone;

export const runPlan = verb('plan', {
  ...ASSIGNEE, description: { type: 'string' }, target: { type: 'string' }, status: { type: 'string' }, discipline: { type: 'string' },
  'visit-type': { type: 'string' }, every: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' },
  episode: { type: 'string' }, reason: { type: 'string' }, today: { type: 'string' }, tz: { type: 'string' },
}, {
  async 'goal-add'(c) {
    const goal = await addGoal(c.db, positional(c, 0, 'plan goal-add EPISODE'), { description: need(c, 'description'), targetDate: str(c, 'target'), status: str(c, 'status') }, c.now, c.actor);
    await auditCare(c, 'plan goal-add', { action: 'create', entityType: 'care-plan-goal', entityId: goal.id, episodeId: goal.episodeId });
    return out(c, goal, () => `goal ${goal.id} added to episode ${goal.episodeId} (${goal.status})\n`);
  },
  async 'goal-set'(c) {
    const target = str(c, 'target');
    const goal = await updateGoal(c.db, positional(c, 0, 'plan goal-set GOAL'), { status: str(c, 'status'), description: str(c, 'description'), targetDate: target === 'none' ? null : target }, c.now, c.actor);
    await auditCare(c, 'plan goal-set', { action: 'update', entityType: 'care-plan-goal', entityId: goal.id, episodeId: goal.episodeId, detail: { status: goal.status } });
    return out(c, goal, () => `goal ${goal.id} is ${goal.status}, target ${text(goal.targetDate)}\n`);
  },
  async 'intervention-add'(c) {
    const item = await addIntervention(c.db, positional(c, 0, 'plan intervention-add EPISODE'), { description: need(c, 'description'), discipline: str(c, 'discipline') }, c.now, c.actor);
    await auditCare(c, 'plan intervention-add', { action: 'create', entityType: 'care-plan-intervention', entityId: item.id, episodeId: item.episodeId });
    return out(c, item, () => `intervention ${item.id} added to episode ${item.episodeId}\n`);
  },
  async 'schedule-add'(c) {
    const episodeId = positional(c, 0, 'plan schedule-add EPISODE');
    const assignee = await assigneeArg(c);
    const every = Number(need(c, 'every'));
    const s = await addSchedule(c.db, episodeId, {
      visitType: need(c, 'visit-type'), discipline: str(c, 'discipline'), everyDays: every, startDate: need(c, 'start'), endDate: str(c, 'end'),
      assigneeUserId: assignee.userId, assigneeRole: assignee.role,
    }, c.now, c.actor);
    await auditCare(c, 'plan schedule-add', { action: 'create', entityType: 'visit-schedule', entityId: s.id, episodeId });
    return out(c, s, () => `visit schedule ${s.id} added to episode ${episodeId}: ${s.visitType} every ${s.everyDays} day(s) from ${s.startDate}\n`);
  },
  async 'schedule-hold'(c) {
    const reason = need(c, 'reason');
    const held = str(c, 'episode') !== undefined ? await holdSchedules(c.db, idArg(str(c, 'episode'), '--episode'), reason, c.now, c.actor)
      : [await holdSchedule(c.db, positional(c, 0, 'plan schedule-hold SCHEDULE (or --episode EPISODE)'), reason, c.now, c.actor)];
    if (held.length) await auditCare(c, 'plan schedule-hold', { action: 'update', entityType: 'visit-schedule', entityId: held.map((s) => s.id).join(','), episodeId: held[0]!.episodeId, detail: { status: 'on-hold' } });
    return out(c, held, () => `${held.length} visit schedule(s) on hold${held.length ? `: ${held.map((s) => s.id).join(', ')}` : ''}\n`);
  },
  async 'schedule-release'(c) {
    const tz = timeZoneOf(c);
    const released = str(c, 'episode') !== undefined
      ? await releaseSchedules(c.db, idArg(str(c, 'episode'), '--episode'), str(c, 'reason') ?? null, c.now, c.actor, tz)
      : [await releaseSchedule(c.db, positional(c, 0, 'plan schedule-release SCHEDULE (or --episode EPISODE)'), c.now, c.actor, tz)];
    if (released.length) await auditCare(c, 'plan schedule-release', { action: 'update', entityType: 'visit-schedule', entityId: released.map((s) => s.id).join(','), episodeId: released[0]!.episodeId, detail: { status: 'active' } });
    return out(c, released, () => `${released.length} visit schedule(s) released${released.length ? `: ${released.map((s) => s.id).join(', ')}` : ''}\n`);
  },
  async show(c) {
    const plan = await getCarePlan(c.db, positional(c, 0, 'plan show EPISODE'));
    const today = str(c, 'today') ?? localDate(c.now, timeZoneOf(c));
    const pastDue = await listPastDueVisits(c.db, plan.episode.id, today, { timeZone: timeZoneOf(c) });
    const names = await userNames(c);
    return out(c, { ...plan, today, pastDue }, () => [
      `episode ${plan.episode.id} (${plan.episode.type}, ${plan.episode.status}), patient ${plan.episode.patientId}\n`,
      '\ngoals:\n', table(['ID', 'STATUS', 'TARGET', 'DESCRIPTION'], plan.goals.map((g) => [String(g.id), g.status, text(g.targetDate), g.description]), 'none'),
      '\ninterventions:\n', table(['ID', 'STATUS', 'DISCIPLINE', 'DESCRIPTION'], plan.interventions.map((i) => [String(i.id), i.status, text(i.discipline), i.description]), 'none'),
      '\nvisit schedules:\n', table(['ID', 'VISIT TYPE', 'DISCIPLINE', 'ASSIGNEE', 'EVERY', 'FROM', 'UNTIL', 'STATUS', 'NEXT DUE', 'PAST DUE'],
        plan.schedules.map((s) => [String(s.id), s.visitType, text(s.discipline), who(s.assignee, names), `${s.everyDays}d`, s.startDate, text(s.endDate),
          s.status === 'on-hold' ? `on-hold (${s.holdReason})` : s.status, s.status === 'active' ? text(nextDueDate(s, today)) : '-',
          pastDue.filter((p) => p.scheduleId === s.id).map((p) => p.dueDate).join(',') || '-']), 'none'),
      '\nvisits:\n', table(['ID', 'SCHEDULE', 'DUE', 'STATUS', 'VISITED', 'NOTE'],
        plan.visits.map((v) => [String(v.id), text(v.scheduleId === null ? null : String(v.scheduleId)), text(v.dueDate), v.status, when(v.visitedAt), text(v.note)]), 'none'),
    ].join(''));
  },
});

// ---- task -------------------------------------------------------------------------------------

const taskTable = (tasks: Task[], now: number, names: Names) => table(['ID', 'PATIENT', 'EPISODE', 'PRIORITY', 'STATUS', 'DUE', 'ASSIGNEE', 'TITLE'],
  tasks.map((t) => [String(t.id), String(t.patientId), t.episodeId === null ? '-' : String(t.episodeId), t.priority,
    t.status, `${when(t.dueAt)}${t.dueAt !== null && t.dueAt < now && (t.status === 'open' || t.status === 'in-progress') ? ' OVERDUE' : ''}`, who(t.assignee, names), t.title]), 'no tasks');

export const runTask = verb('task', {
  ...PATIENT, ...ASSIGNEE, episode: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, due: { type: 'string' },
  priority: { type: 'string' }, status: { type: 'string' }, note: { type: 'string' }, reason: { type: 'string' },
}, {
  async add(c) {
    const patientId = await patientArg(c);
    const assignee = await assigneeArg(c);
    const task = await createTask(c.db, {
      patientId, episodeId: str(c, 'episode') === undefined ? null : idArg(str(c, 'episode'), '--episode'), title: need(c, 'title'),
      description: str(c, 'description'), assigneeUserId: assignee.userId, assigneeRole: assignee.role,
      dueAt: timeArg(str(c, 'due'), 'due', c.now), priority: str(c, 'priority'),
    }, c.now, c.actor);
    await auditCare(c, 'task add', { action: 'create', entityType: 'task', entityId: task.id, patientId, episodeId: task.episodeId });
    const names = await userNames(c);
    return out(c, task, () => `task ${task.id} created for patient ${patientId}, assigned to ${who(task.assignee, names)}\n`);
  },
  async list(c) {
    const statuses = str(c, 'status')?.split(',');
    const byPatient = str(c, 'patient') !== undefined || str(c, 'mrn') !== undefined;
    if (!byPatient && str(c, 'assignee') === undefined && str(c, 'assignee-role') === undefined) {
      throw new CliError('task list needs --assignee USER, --assignee-role ROLE, --patient ID or --mrn VALUE --authority AUTH');
    }
    const tasks = byPatient ? await listPatientTasks(c.db, await patientArg(c), { statuses })
      : await listAssigneeTasks(c.db, await assigneeArg(c), c.now, { statuses });
    const names = await userNames(c);
    return out(c, tasks, () => taskTable(tasks, c.now, names));
  },
  async complete(c) {
    const task = await completeTask(c.db, positional(c, 0, 'task complete TASK'), str(c, 'note') ?? null, c.now, c.actor);
    await auditCare(c, 'task complete', { action: 'update', entityType: 'task', entityId: task.id, patientId: task.patientId, detail: { status: task.status } });
    return out(c, task, () => `task ${task.id} completed by ${task.completedBy}\n`);
  },
  async reassign(c) {
    const id = positional(c, 0, 'task reassign TASK');
    const task = await reassignTask(c.db, id, await assigneeArg(c), c.now, c.actor);
    await auditCare(c, 'task reassign', { action: 'update', entityType: 'task', entityId: task.id, patientId: task.patientId, detail: { assignee: task.assignee.kind === 'user' ? `user ${task.assignee.userId}` : `role ${task.assignee.role}` } });
    const names = await userNames(c);
    return out(c, task, () => `task ${task.id} reassigned to ${who(task.assignee, names)}\n`);
  },
  async cancel(c) {
    const task = await cancelTask(c.db, positional(c, 0, 'task cancel TASK'), str(c, 'reason') ?? null, c.now, c.actor);
    await auditCare(c, 'task cancel', { action: 'update', entityType: 'task', entityId: task.id, patientId: task.patientId, detail: { status: task.status } });
    return out(c, task, () => `task ${task.id} cancelled\n`);
  },
});

/** The verbs this module adds to `carecoord`. */
export const careVerbs: Record<string, (args: string[]) => Promise<number>> = {
  user: (argv) => (USER_AUTH_COMMANDS.has(argv[0] ?? '') ? runUserAuth(argv) : runUser(argv)),
  episode: runEpisode,
  team: runTeam,
  plan: runPlan,
  task: runTask,
};
