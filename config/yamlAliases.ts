import { isAlias, isCollection, isPair, isScalar, visit, type Alias, type Document, type Node } from "yaml";

/**
 * Most values (scalars, mappings and sequences, each map key counted too) a configuration file may stand for once
 * every alias (`*name`) is expanded. A country-wide collector file (3,321 sites, each with a contacts anchor reused,
 * links sharing lists) stands for well under 200,000; a YAML alias bomb ("billion laughs") for millions or billions
 * from a few lines. The bound is on the expanded size, not on the number of aliases, so a legitimate file may reuse
 * an anchor as often as it likes.
 */
export const MAX_YAML_EXPANDED_VALUES = 1_000_000;

/** One thing wrong with a document's aliases: where (offset in the source, when known) and what. */
export interface AliasProblem {
  offset: number | undefined;
  message: string;
}

/** The anchor (`&name`) set on `node`, if any. */
function anchorOf(node: Node): string | undefined {
  return isScalar(node) || isCollection(node) ? node.anchor : undefined;
}

/** Every node that has an anchor or is an alias, in document order (the order the yaml package resolves them in). */
function anchorsAndAliases(doc: Document): Node[] {
  const nodes: Node[] = [];
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node) || anchorOf(node)) nodes.push(node);
    },
  });
  return nodes;
}

/** Thrown inside the measuring walk on an alias that points back at a node containing it. */
class AliasCycle extends Error {
  constructor(readonly alias: Alias) {
    super(`alias cycle at *${alias.source}`);
  }
}

/**
 * What is wrong with the aliases of `doc`, with where, empty when nothing: every alias whose anchor is not set before
 * it; else an alias inside the node its anchor names (a cycle, which no configuration needs and which no validator
 * could walk); else the alias at which the document's expanded size passes `maxValues` (see
 * {@link MAX_YAML_EXPANDED_VALUES}). Linear in the size of the text (each anchored node is measured once), so it is
 * safe to run on a bomb before anything is expanded.
 */
export function aliasProblems(doc: Document, maxValues: number = MAX_YAML_EXPANDED_VALUES): AliasProblem[] {
  // Each alias names the latest anchor of that name before it, as the yaml package resolves it.
  const targets = new Map<Alias, Node>();
  const latest = new Map<string, Node>();
  const unresolved: AliasProblem[] = [];
  for (const node of anchorsAndAliases(doc)) {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (target) targets.set(node, target);
      else unresolved.push({ offset: node.range?.[0], message: `YAML: unresolved alias '*${node.source}' (no anchor '&${node.source}' before it)` });
    }
    const anchor = anchorOf(node);
    if (anchor) latest.set(anchor, node);
  }
  if (unresolved.length > 0) return unresolved;

  const sizes = new Map<Node, number>();
  const measuring = new Set<Node>();
  /** How many values `node` stands for with its aliases expanded. */
  const expandedSize = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node)!;
      if (measuring.has(target)) throw new AliasCycle(node);
      return expandedSize(target);
    }
    if (isScalar(node)) return 1;
    if (isPair(node)) return expandedSize(node.key) + expandedSize(node.value);
    if (!isCollection(node)) return 0; // an empty key or value
    const known = sizes.get(node);
    if (known !== undefined) return known;
    measuring.add(node);
    let size = 1;
    for (const item of node.items) size += expandedSize(item);
    measuring.delete(node);
    sizes.set(node, size);
    return size;
  };

  // Walk the text in order, each alias adding what it expands to, and name the alias at which the total overflows.
  let total = 0;
  let problem: AliasProblem | null = null;
  try {
    visit(doc, {
      Scalar: () => void (total += 1),
      Map: () => void (total += 1),
      Seq: () => void (total += 1),
      Alias: (_key, alias) => {
        total += expandedSize(targets.get(alias)!);
        if (total <= maxValues) return undefined;
        problem = {
          offset: alias.range?.[0],
          message: `YAML: aliases expand this file to more than ${maxValues.toLocaleString("en-US")} values (at '*${alias.source}'); a configuration never needs that many (a YAML alias bomb?)`,
        };
        return visit.BREAK;
      },
    });
  } catch (err) {
    if (!(err instanceof AliasCycle)) throw err;
    return [{ offset: err.alias.range?.[0], message: `YAML: alias '*${err.alias.source}' is inside the value its anchor '&${err.alias.source}' names (a cycle); write the value out` }];
  }
  return problem ? [problem] : [];
}
