// Theme files: the schema, and warnings that name the file, the line and the key.
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { ANSI16_NAMES, THEME_TOKENS } from './tokens.js';

export const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
const PALETTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

const tokenStyleSchema = z.strictObject({
  fg: z.string(),
  bg: z.string().optional(),
  bold: z.boolean().optional(),
  dim: z.boolean().optional(),
  inverse: z.boolean().optional(),
  underline: z.boolean().optional(),
});

const ansiValueSchema = z.union([z.string(), z.strictObject({ fg: z.string().optional(), bg: z.string().optional() })]);

const themeFileSchema = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  glyphs: z.enum(['unicode', 'ascii']).default('unicode'),
  borderStyle: z.enum(['round', 'single', 'bold']).optional(),
  palette: z.record(z.string(), z.string()),
  tokens: z.record(z.string(), tokenStyleSchema),
  ansi16: z.record(z.string(), ansiValueSchema),
});

export type ThemeFile = z.infer<typeof themeFileSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

const TOKEN_SET = new Set<string>(THEME_TOKENS);
const ANSI_SET = new Set<string>(ANSI16_NAMES);

function semanticProblems(f: ThemeFile): Problem[] {
  const out: Problem[] = [];
  for (const [name, value] of Object.entries(f.palette)) {
    if (!PALETTE_NAME.test(name)) out.push({ path: ['palette', name], message: `"${name}" is not a valid palette name (letters, digits, - and _)` });
    if (!HEX.test(value)) out.push({ path: ['palette', name], message: `"${value}" is not a #rrggbb colour` });
  }
  const colourRef = (p: (string | number)[], v: string) => {
    if (!HEX.test(v) && !Object.hasOwn(f.palette, v)) out.push({ path: p, message: `"${v}" is not a palette colour or #rrggbb` });
  };
  const ansiRef = (p: (string | number)[], v: string | undefined) => {
    if (v !== undefined && !ANSI_SET.has(v)) out.push({ path: p, message: `"${v}" is not a 16-colour name (expected one of ${ANSI16_NAMES.join(', ')})` });
  };
  for (const section of ['tokens', 'ansi16'] as const) {
    for (const key of Object.keys(f[section])) {
      if (!TOKEN_SET.has(key)) out.push({ path: [section, key], message: `unknown token "${key}" (expected one of ${THEME_TOKENS.join(', ')})` });
    }
    const missing = THEME_TOKENS.filter((t) => !Object.hasOwn(f[section], t));
    if (missing.length > 0) out.push({ path: [section], message: `missing token${missing.length > 1 ? 's' : ''} ${missing.map((t) => `"${t}"`).join(', ')}` });
  }
  for (const [t, spec] of Object.entries(f.tokens)) {
    colourRef(['tokens', t, 'fg'], spec.fg);
    if (spec.bg !== undefined) colourRef(['tokens', t, 'bg'], spec.bg);
  }
  for (const [t, a] of Object.entries(f.ansi16)) {
    if (typeof a === 'string') {
      ansiRef(['ansi16', t], a);
      if (f.tokens[t]?.bg !== undefined) out.push({ path: ['ansi16', t], message: `token "${t}" has a bg; give its 16-colour mapping as { fg: ..., bg: ... }` });
    } else {
      ansiRef(['ansi16', t, 'fg'], a.fg);
      ansiRef(['ansi16', t, 'bg'], a.bg);
    }
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

function valueAt(root: unknown, p: PropertyKey[]): unknown {
  let cur = root;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

const EXPECTED_WORDS: Record<string, string> = { record: 'a map', object: 'a map', array: 'a list', string: 'a string', boolean: 'true or false' };

function schemaProblems(issues: z.core.$ZodIssue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: [...p, key], message: `unknown key "${key}"` });
    } else if (issue.code === 'invalid_type') {
      const v = valueAt(raw, p);
      const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
      out.push({ path: p, message: v === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${describeValue(v)}` });
    } else if (issue.code === 'invalid_value') {
      out.push({ path: p, message: `${describeValue(valueAt(raw, p))} is not one of ${issue.values.map((x) => String(x)).join(', ')}` });
    } else if (issue.code === 'invalid_union') {
      out.push({ path: p, message: `expected a 16-colour name or { fg, bg }, got ${describeValue(valueAt(raw, p))}` });
    } else {
      out.push({ path: p, message: issue.message });
    }
  }
  return out;
}

/** 1-based line of the deepest node along `p` that exists in the document. */
function lineOf(contents: unknown, lc: LineCounter, p: (string | number)[]): number | undefined {
  let node: unknown = contents;
  let offset: number | undefined = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of p) {
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? it.key.value === key : it.key === key));
      if (!pair) break;
      const keyStart = (pair.key as { range?: [number] } | null)?.range?.[0];
      if (keyStart !== undefined) offset = keyStart;
      next = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
      const start = (next as { range?: [number] } | null)?.range?.[0];
      if (start !== undefined) offset = start;
    } else break;
    node = next;
  }
  return offset === undefined ? undefined : lc.linePos(offset).line;
}

const MAX_PROBLEMS = 5;

export type ThemeParseResult = { ok: true; file: ThemeFile } | { ok: false; warnings: string[] };

/** Parse and validate theme text; `label` names the file in warnings. */
export function parseThemeText(text: string, label: string): ThemeParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      warnings: doc.errors.slice(0, MAX_PROBLEMS).map((e) => {
        const line = e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line;
        return `${label}:${line}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  const raw: unknown = doc.toJS();
  let problems: Problem[];
  const parsed = themeFileSchema.safeParse(raw);
  if (!parsed.success) {
    problems = schemaProblems(parsed.error.issues, raw);
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems = [{ path: [], message: `expected a map with palette, tokens and ansi16, got ${describeValue(raw)}` }];
    }
  } else {
    problems = semanticProblems(parsed.data);
    if (problems.length === 0) return { ok: true, file: parsed.data };
  }
  const located = problems.map((pr) => ({ ...pr, line: lineOf(doc.contents, lc, pr.path) }));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const warnings = located.slice(0, MAX_PROBLEMS).map((pr) => {
    const where = pr.path.length ? `${pr.path.join('.')}: ` : '';
    return `${label}${pr.line !== undefined ? `:${pr.line}` : ''}: ${where}${pr.message}`;
  });
  if (problems.length > MAX_PROBLEMS) warnings.push(`${label}: … and ${problems.length - MAX_PROBLEMS} more problems`);
  return { ok: false, warnings };
}
