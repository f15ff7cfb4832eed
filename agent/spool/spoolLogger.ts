/**
 * The logging the spool needs: structured warnings (data was discarded or dropped) and information
 * (state recovered, housekeeping). A winston logger satisfies it.
 */
export interface SpoolLogger {
  warn(msg: string, meta?: object): void;
  info(msg: string, meta?: object): void;
}

/** A logger that discards everything; used when the caller passes none. */
export const silentSpoolLogger: SpoolLogger = {
  warn() {},
  info() {},
};
