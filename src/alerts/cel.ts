/**
 * Rule conditions in CEL (Common Expression Language, @marcbachmann/cel-js): non-Turing-complete,
 * no side effects, parsed and type-checked against CONTEXT_SCHEMA when a rule is saved; never eval.
 * Integers are BigInt in CEL: `toCel` converts a context built with numbers.
 */
import { Environment, ParseError } from '@marcbachmann/cel-js';
import { CONTEXT_SCHEMA, type AlertContext, type FieldType, type SchemaNode } from './context.js';
import { AlertError, AlertErrorCode } from './errors.js';

/** A compiled condition: true when the rule fires. */
export type Condition = (ctx: AlertContext) => boolean;

const celType = (t: FieldType): string => (t === 'time' ? 'int' : t);

function celSchema(node: SchemaNode): Record<string, unknown> {
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, typeof v === 'string' ? celType(v) : celSchema(v)]));
}

let env: Environment | undefined;
/** One environment for the process (building one is the expensive part); limits bound what a rule can ask. */
function environment(): Environment {
  if (!env) {
    env = new Environment({ limits: { maxAstNodes: 500, maxDepth: 32, maxListElements: 100, maxMapEntries: 100, maxCallArguments: 8 } });
    for (const [name, node] of Object.entries(CONTEXT_SCHEMA)) env.registerVariable({ name, schema: celSchema(node as SchemaNode) } as never);
  }
  return env;
}

/** The context in CEL's representation: ints as BigInt, following the schema. */
export function toCel(value: unknown, node: SchemaNode | FieldType = CONTEXT_SCHEMA): unknown {
  if (typeof node === 'string') return node === 'int' || node === 'time' ? BigInt(Math.trunc(value as number)) : value;
  const v = value as Record<string, unknown>;
  return Object.fromEntries(Object.entries(node).map(([k, n]) => [k, toCel(v[k], n)]));
}

/** Parse and type-check a condition; it must be a bool. Throws AlertError (condition_syntax, condition_type). */
export function compileCondition(source: string): Condition {
  const e = environment();
  let fn: (ctx: Record<string, unknown>) => unknown;
  try {
    fn = e.parse(source) as never;
  } catch (err) {
    const msg = err instanceof ParseError ? firstLine(err.message) : 'unparseable';
    throw new AlertError(AlertErrorCode.ConditionSyntax, `condition does not parse: ${msg}`, 'condition');
  }
  const checked = e.check(source);
  if (!checked.valid) throw new AlertError(AlertErrorCode.ConditionType, `condition does not type-check: ${firstLine(checked.error?.message ?? '')}`, 'condition');
  if (checked.type !== 'bool') throw new AlertError(AlertErrorCode.ConditionType, `condition must be a bool, not ${String(checked.type)}`, 'condition');
  return (ctx) => fn(celOf(ctx)) === true;
}

/**
 * One conversion per context, shared by every rule's condition: a context is built once per event and
 * never changed afterwards (buildContext), and converting it per condition cost more than the CEL
 * evaluation itself (bench:alerts part A: ~8 us per conversion, ~76 conditions per event with 200 rules).
 */
const converted = new WeakMap<AlertContext, Record<string, unknown>>();

function celOf(ctx: AlertContext): Record<string, unknown> {
  let cel = converted.get(ctx);
  if (!cel) {
    cel = toCel(ctx) as Record<string, unknown>;
    converted.set(ctx, cel);
  }
  return cel;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
