/**
 * How a bench script ends: on Ctrl-C or a kill it cleans up before going, and its main's result becomes the exit
 * code. Shared by the agent and ingest benches.
 */

/**
 * Until the returned function is called, SIGINT or SIGTERM runs `cleanUp` (stop the children, remove the temp dir)
 * and exits 130 (SIGINT) or 143 (SIGTERM). The returned function removes these handlers.
 */
export function cleanUpOnSignal(cleanUp: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** Runs a bench's `main` and exits with the code it returns, or prints `bench failed: <message>` and exits 1 if it throws. */
export function exitWithBenchResult(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
