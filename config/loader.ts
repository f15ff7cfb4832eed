import { readFileSync } from "node:fs";
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
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
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return { file, line: pos.line, column: pos.col, key: "", message: `YAML syntax: ${err.message.split("\n")[0]}` };
      }),
    );
  }
  const result = schema.safeParse(doc.toJS() ?? {});
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
