/**
 * Message templates: text with {{path}} placeholders naming fields of the evaluation context
 * (CONTEXT_SCHEMA). Substitution only, no expressions and no code: a placeholder that names no field
 * is refused when the rule is saved. Times render as ISO UTC minutes, lists comma separated.
 */
import { CONTEXT_SCHEMA, type AlertContext, type FieldType, type SchemaNode } from './context.js';
import { AlertError, AlertErrorCode } from './errors.js';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The field type a dotted path names, or undefined. */
export function fieldAt(path: string): FieldType | undefined {
  let node: SchemaNode | FieldType = CONTEXT_SCHEMA;
  for (const part of path.split('.')) {
    if (typeof node === 'string' || !Object.hasOwn(node, part)) return undefined;
    node = node[part]!;
  }
  return typeof node === 'string' ? node : undefined;
}

/** Every placeholder of a template must name a field (`field`: the definition field, for the error). */
export function checkTemplate(template: string, field: string): void {
  if (/\{\{(?![^{}]*\}\})/.test(template)) throw new AlertError(AlertErrorCode.UnknownPlaceholder, `${field}: an unclosed {{`, field);
  for (const [, path] of template.matchAll(PLACEHOLDER)) {
    if (!fieldAt(path!)) throw new AlertError(AlertErrorCode.UnknownPlaceholder, `${field}: {{${path}}} names no field of the context`, field);
  }
}

function valueAt(ctx: AlertContext, path: string): unknown {
  let v: unknown = ctx;
  for (const part of path.split('.')) v = (v as Record<string, unknown>)[part];
  return v;
}

function render(value: unknown, type: FieldType): string {
  if (type === 'time') return typeof value === 'number' && value > 0 ? new Date(value).toISOString().slice(0, 16) + 'Z' : '';
  if (type === 'bool') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.join(', ');
  return String(value ?? '');
}

/** Fill a checked template from a context. */
export function renderTemplate(template: string, ctx: AlertContext): string {
  return template.replace(PLACEHOLDER, (_, path: string) => {
    const type = fieldAt(path);
    return type ? render(valueAt(ctx, path), type) : '';
  });
}
