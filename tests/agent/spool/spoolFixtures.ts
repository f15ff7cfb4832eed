import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpoolLogger } from "../../../agent/spool/spool.js";

/** A fresh temporary directory for one test; `remove()` deletes it with everything in it. */
export function makeTempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "wardwatch-spool-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger that keeps every line, so tests can assert on warnings. */
export function recordingLogger(): SpoolLogger & { warnings: { msg: string; meta?: object }[]; infos: { msg: string; meta?: object }[] } {
  const warnings: { msg: string; meta?: object }[] = [];
  const infos: { msg: string; meta?: object }[] = [];
  return {
    warnings,
    infos,
    warn: (msg, meta) => void warnings.push({ msg, meta }),
    info: (msg, meta) => void infos.push({ msg, meta }),
  };
}

/** Segment file names in `dir`, sorted. */
export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith("segment-"))
    .sort();
}

/** Full path and size in bytes of the newest segment file in `dir`. */
export function newestSegment(dir: string): { path: string; bytes: number } {
  const name = segmentFiles(dir).at(-1);
  if (!name) throw new Error(`no segment in ${dir}`);
  const path = join(dir, name);
  return { path, bytes: statSync(path).size };
}

/** Bodies `{ n: from }` … `{ n: from + count - 1 }`. */
export function numberedBodies(count: number, from = 1): { n: number }[] {
  return Array.from({ length: count }, (_, index) => ({ n: from + index }));
}

/** The seqs of `records`. */
export function seqsOf(records: { seq: number }[]): number[] {
  return records.map((record) => record.seq);
}

/** The integers from `first` to `last`, inclusive. */
export function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, index) => first + index);
}
