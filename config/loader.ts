import { readFileSync } from "node:fs";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { aliasProblems } from "./yamlAliases.js";

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

/** The value of a map key when it is a scalar (the usual case), else undefined. */
function keyValue(key: unknown): unknown {
  return isScalar(key) ? key.value : undefined;
}

/** The message of a thrown value, whatever was thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The offset in the source of the node (or map key) at `path`, or of its deepest existing ancestor. */
function locate(doc: Document, path: ReadonlyArray<PropertyKey>): number | null {
  let node: unknown = doc.contents;
  let offset: number | null = (node as Node | null)?.range?.[0] ?? null;
  for (const part of path) {
    if (isMap(node)) {
      // A number key (a year: `2026:`) is a string key once in JavaScript, as zod's path gives it.
      const pair = node.items.find((item) => keyValue(item.key) === part || (typeof part === "string" && typeof keyValue(item.key) === "number" && String(keyValue(item.key)) === part));
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
  return isMap(contents) ? contents.items.map((pair) => String(keyValue(pair.key))) : [];
}

/**
 * Reads a YAML file, validates it with `schema` and returns the result, deep-frozen.
 * Throws {@link ConfigError} naming file, line, column and key for every problem.
 */
export function loadYamlFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  return parseYamlText(readConfigText(file), file, schema);
}

/** The text of configuration file `file`; throws {@link ConfigError} "file: cannot read: …" when it cannot be read. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError([{ file, line: null, column: null, key: "", message: `cannot read: ${messageOf(err)}` }]);
  }
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
  // Before anything is expanded: unresolved aliases, cycles and alias bombs, each with the line of its alias.
  const aliasErrors = aliasProblems(doc);
  if (aliasErrors.length > 0) throw new ConfigError(aliasErrors.map(({ offset, message }) => ({ file, ...toPos(offset), key: "", message })));
  let data: unknown;
  try {
    // The expansion was bounded above; an anchor's value is built once and shared by its aliases.
    data = doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    throw new ConfigError([{ file, line: null, column: null, key: "", message: `YAML: ${messageOf(err)}` }]);
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
