import { closeSync, fsyncSync, openSync } from "node:fs";

/**
 * Flushes a directory's entries (files created, renamed or removed in it) to stable storage, so a
 * new segment file or a renamed cursor file is still there after a power cut. Throws on I/O errors.
 */
export function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
