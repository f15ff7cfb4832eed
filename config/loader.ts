import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node } from "yaml";
import type { z } from "zod";

/** One thing wrong with a configuration file: where (line and column are 1-based) and what. */
export interface ConfigProblem {
  file: string;
  line: number | null;
  column: number | null;
  /** Dotted key path, e.g. "sites[2].links[0].provider". */
  key: string;
  message: string;
}

/** Thrown when a configuration file cannot be read, parsed or validated; lists every problem found. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "ConfigError";
  }
}

/** "file:line:column: key: message". */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === null ? problem.file : `${problem.file}:${problem.line}:${problem.column}`;
  return problem.key ? `${where}: ${problem.key}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** "sites[2].links[0].provider" from ["sites", 2, "links", 0, "provider"]. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`)).join("");
}

/** Deep-freezes plain data so that validated configuration cannot be changed at run time. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The offset in the source of the node (or map key) at `path`, or of its deepest existing ancestor. */
function locate(doc: Document, path: ReadonlyArray<PropertyKey>): number | null {
  let node: unknown = doc.contents;
  let offset: number | null = (node as Node | null)?.range?.[0] ?? null;
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === part);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === "number") {
      node = node.items[part];
      offset = (node as Node | undefined)?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

/** Most aliases (`*name`) a configuration file may expand; more is a YAML alias bomb ("billion laughs"), not a config. */
export const MAX_YAML_ALIASES = 100;

/**
 * What is wrong with the document's aliases, with where: an alias whose anchor is not set before it, or more aliases
 * (counted through nested expansion, as the yaml package counts) than {@link MAX_YAML_ALIASES}. Empty when none.
 */
function aliasProblems(doc: Document, toPos: (offset: number | undefined) => { line: number | null; column: number | null }, file: string): ConfigProblem[] {
  const aliases: Alias[] = [];
  visit(doc, { Alias: (_key, node) => void aliases.push(node) });
  if (aliases.length > MAX_YAML_ALIASES) {
    return [{ file, ...toPos(aliases[MAX_YAML_ALIASES]!.range?.[0]), key: "", message: `YAML: more than ${MAX_YAML_ALIASES} aliases (*name); write the values out` }];
  }
  return aliases
    .filter((alias) => alias.resolve(doc) === undefined)
    .map((alias) => ({ file, ...toPos(alias.range?.[0]), key: "", message: `YAML: unresolved alias '*${alias.source}' (no anchor '&${alias.source}' before it)` }));
}

/**
 * Where the key (or value) at `path` is in YAML `text`, 1-based, or of its deepest existing ancestor; nulls when the
 * text does not parse. For problems found after loading (e.g. one file checked against another).
 */
export function locateInYamlText(text: string, path: ReadonlyArray<PropertyKey>): { line: number | null; column: number | null } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const offset = doc.errors.length > 0 ? null : locate(doc, path);
  if (offset === null) return { line: null, column: null };
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** The top-level keys of YAML `text` (no alias is expanded), empty when it is not a mapping or does not parse. */
export function topLevelKeys(text: string): string[] {
  const contents = parseDocument(text, { prettyErrors: false }).contents;
  return isMap(contents) ? contents.items.map((pair) => String((pair.key as { value?: unknown } | null)?.value)) : [];
}

/**
 * Reads a YAML file, validates it with `schema` and returns the result, deep-frozen.
 * Throws {@link ConfigError} naming file, line, column and key for every problem.
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, line: null, column: null, key: "", message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseYamlText(text, file, schema);
}

/** As {@link loadYamlFile}, for text already in memory; `file` names it in errors. */
export function parseYamlText<S extends z.ZodType>(text: string, file: string, schema: S): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPos = (offset: number | undefined): { line: number | null; column: number | null } => {
    if (offset === undefined) return { line: null, column: null };
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  // Warnings too (an unknown tag such as !!binary on a key, a directive it ignores): a configuration means one thing.
  const syntax = [...doc.errors.map((err) => ({ err, what: "YAML syntax" })), ...doc.warnings.map((err) => ({ err, what: "YAML" }))];
  if (syntax.length > 0) {
    throw new ConfigError(syntax.map(({ err, what }) => ({ file, ...toPos(err.pos[0]), key: "", message: `${what}: ${err.message.split("\n")[0]}` })));
  }
  const aliasErrors = aliasProblems(doc, toPos, file);
  if (aliasErrors.length > 0) throw new ConfigError(aliasErrors);
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    // An alias bomb that nests fewer aliases than it expands: the yaml package's own count stops it here.
    const firstAlias = ((): number | undefined => {
      let offset: number | undefined;
      visit(doc, { Alias: (_key, node) => ((offset = node.range?.[0]), visit.BREAK) });
      return offset;
    })();
    throw new ConfigError([{ file, ...toPos(firstAlias), key: "", message: `YAML: ${(err as Error).message} (more than ${MAX_YAML_ALIASES} values through aliases)` }]);
  }
  const result = schema.safeParse(data ?? {});
  if (result.success) return deepFreeze(result.data);
  const problems: ConfigProblem[] = [];
  for (const issue of result.error.issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const extra of keys) {
      const path = extra === undefined ? issue.path : [...issue.path, extra];
      const offset = locate(doc, path);
      const pos = offset === null ? null : lineCounter.linePos(offset);
      const message = extra === undefined ? issue.message : `unknown key '${extra}'`;
      problems.push({ file, line: pos?.line ?? null, column: pos?.col ?? null, key: formatKeyPath(path), message });
    }
  }
  throw new ConfigError(problems);
}
