/**
 * YAML parsing and small validators shared by the Timeloop readers.
 * Every failure is an InputError naming the file, the field path (e.g. `mapping[5].factors`) and what was expected.
 */
import YAML, { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import { InputError, show } from '../errors.js';

/** Tags used by Timeloop's v0.4 format; anything else tagged is kept as a plain value. */
const V04_TAGS = ['!Container', '!Component', '!Hierarchical', '!Parallel', '!Nothing', '!Array'];

const tags = new WeakMap<object, string>();

/** The YAML tag (e.g. `!Container`) an object was written with, if any. */
export function tagOf(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? tags.get(v) : undefined;
}

/**
 * Limits on what one YAML file may expand to. Timeloop inputs are small trees (the reference files nest at most 12
 * levels and use no aliases), so these only stop hostile files: alias bombs ("billion laughs") and nesting that would
 * exhaust the stack.
 */
export const YAML_LIMITS = {
  /** alias uses (`*name`) per file, as the `yaml` package's own `maxAliasCount` default */
  aliases: 100,
  /** values (scalars, maps, lists) after expanding every alias */
  nodes: 1_000_000,
  /** nesting depth of maps and lists */
  depth: 64,
} as const;

/** Walks the parsed document into plain values, enforcing YAML_LIMITS and refusing undefined or recursive aliases. */
class Plainer {
  private aliases = 0;
  private nodes = 0;
  /** alias targets being expanded (an alias inside its own anchor is recursive) */
  private open = new Set<unknown>();

  constructor(
    private readonly doc: Document,
    private readonly file: string,
  ) {}

  private fail(expected: string, got: string): never {
    throw new InputError(this.file, 'yaml', expected, got);
  }

  plain(node: unknown, depth: number): unknown {
    if (++this.nodes > YAML_LIMITS.nodes)
      this.fail(`at most ${YAML_LIMITS.nodes.toLocaleString('en-US')} values after expanding aliases`, 'more (an alias bomb?)');
    if (isAlias(node)) {
      if (++this.aliases > YAML_LIMITS.aliases) this.fail(`at most ${YAML_LIMITS.aliases} alias uses (*name)`, 'more');
      const target = node.resolve(this.doc);
      if (target === undefined) this.fail('every alias to name a defined anchor', `*${node.source}, an undefined anchor`);
      if (this.open.has(target)) this.fail('aliases that do not contain themselves', `*${node.source}, a recursive alias`);
      this.open.add(target);
      const v = this.plain(target, depth);
      this.open.delete(target);
      return v;
    }
    if (isScalar(node)) return node.value;
    if (depth >= YAML_LIMITS.depth) this.fail(`maps and lists nested at most ${YAML_LIMITS.depth} levels deep`, 'deeper nesting');
    if (isMap(node)) {
      // null prototype: a key such as "__proto__" or "constructor" is a plain field, never Object.prototype's
      const o = Object.create(null) as Record<string, unknown>;
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : isAlias(pair.key) ? this.plain(pair.key, depth + 1) : pair.key;
        if (k !== null && typeof k === 'object') this.fail('plain keys (strings or numbers)', `a ${isSeq(pair.key) ? 'list' : 'map'} as a key`);
        o[String(k)] = this.plain(pair.value, depth + 1);
      }
      if (node.tag) tags.set(o, node.tag);
      return o;
    }
    if (isSeq(node)) {
      const a = node.items.map((n) => this.plain(n, depth + 1));
      if (node.tag) tags.set(a, node.tag);
      return a;
    }
    return node ?? null;
  }
}

/** Parse YAML text into plain objects; malformed YAML is InputError(file, 'yaml', 'valid YAML', first line of the message). */
export function parseYaml(text: string, file: string): unknown {
  let doc: Document;
  try {
    doc = YAML.parseDocument(text, {
      prettyErrors: true,
      customTags: V04_TAGS.flatMap((tag) => [
        { tag, collection: 'map' as const, resolve: (m: unknown) => m as Node },
        { tag, collection: 'seq' as const, resolve: (s: unknown) => s as Node },
      ]),
    }) as Document;
  } catch (e) {
    if (e instanceof RangeError)
      throw new InputError(file, 'yaml', `maps and lists nested at most ${YAML_LIMITS.depth} levels deep`, 'nesting too deep to parse');
    throw new InputError(file, 'yaml', 'valid YAML', firstLine(e instanceof Error ? e.message : String(e)));
  }
  const err = doc.errors[0];
  if (err?.code === 'RESOURCE_EXHAUSTION')
    throw new InputError(file, 'yaml', `maps and lists nested at most ${YAML_LIMITS.depth} levels deep`, 'nesting too deep to parse');
  if (err) throw new InputError(file, 'yaml', 'valid YAML', firstLine(err.message));
  return new Plainer(doc, file).plain(doc.contents, 0);
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Block-style YAML as the reference files use it (no indentation of sequences inside maps). */
export function toYaml(v: unknown): string {
  return YAML.stringify(v, { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

/** A validation context: the file being read. */
export class Ctx {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, got?: unknown): never {
    throw new InputError(this.file, path, expected, got === undefined ? undefined : show(got));
  }

  /** `got` text shown verbatim (not JSON-quoted). */
  failRaw(path: string, expected: string, got: string): never {
    throw new InputError(this.file, path, expected, got);
  }

  obj(v: unknown, path: string, what = 'a mapping (key: value pairs)'): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.failRaw(path, what, describe(v));
    return v as Record<string, unknown>;
  }

  list(v: unknown, path: string, what = 'a list'): unknown[] {
    if (!Array.isArray(v)) this.failRaw(path, what, describe(v));
    return v;
  }

  str(v: unknown, path: string, what = 'a string'): string {
    if (typeof v !== 'string' || v.length === 0) this.failRaw(path, what, describe(v));
    return v;
  }

  num(v: unknown, path: string, what = 'a number'): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.failRaw(path, what, describe(v));
    return v;
  }

  posInt(v: unknown, path: string, what = 'a positive integer'): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) this.failRaw(path, what, describe(v));
    return v;
  }

  nonNegInt(v: unknown, path: string, what = 'a non-negative integer'): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.failRaw(path, what, describe(v));
    return v;
  }

  posNum(v: unknown, path: string, what = 'a positive number'): number {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.failRaw(path, what, describe(v));
    return v;
  }

  /** Reject fields not in `allowed`; require those in `required`. */
  fields(o: Record<string, unknown>, path: string, allowed: readonly string[], required: readonly string[] = []): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.failRaw(join(path, k), `a known field (${allowed.join(', ')})`, `unknown field ${JSON.stringify(k)}`);
    }
    for (const k of required) {
      if (o[k] === undefined) this.failRaw(join(path, k), `a value (missing field ${JSON.stringify(k)})`, 'nothing');
    }
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list (${show(v)})`;
  if (typeof v === 'object') return `a mapping (${show(v)})`;
  return show(v);
}

/** First line of a multi-line message. */
export function oneLine(s: string): string {
  return firstLine(s);
}
