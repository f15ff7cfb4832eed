import { Writable } from "node:stream";
import winston from "winston";
import { createLogger, type Logger } from "../../config/logger.js";

type Line = Record<string, unknown>;

/** A real wardwatch logger (same format, same redaction) whose JSON lines are kept in memory for assertions. */
export interface MemoryLogger {
  logger: Logger;
  lines: Line[];
  /** Resolves with the first line (already logged or still to come) that matches. */
  waitForLine(predicate: (line: Line) => boolean): Promise<Line>;
}

/** Builds a {@link MemoryLogger}. */
export function memoryLogger(component = "test"): MemoryLogger {
  const lines: Line[] = [];
  const waiters = new Set<{ predicate: (line: Line) => boolean; resolve: (line: Line) => void }>();
  const logger = createLogger("debug", component);
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const text of chunk.toString().split("\n")) {
            if (!text.trim()) continue;
            const line = JSON.parse(text) as Line;
            lines.push(line);
            for (const waiter of [...waiters]) {
              if (waiter.predicate(line)) {
                waiters.delete(waiter);
                waiter.resolve(line);
              }
            }
          }
          done();
        },
      }),
    }),
  );
  return {
    logger,
    lines,
    waitForLine(predicate) {
      const seen = lines.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.add({ predicate, resolve }));
    },
  };
}
