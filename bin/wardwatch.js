#!/usr/bin/env node
// Entry point: runs the compiled command line (`npm run build` writes dist/).
// Exits explicitly so that a daemon stopped by SIGTERM ends even if a library left a handle open.
let cli;
try {
  cli = await import("../dist/cli/main.js");
} catch (err) {
  if (err && err.code === "ERR_MODULE_NOT_FOUND") {
    console.error("wardwatch: dist/ is missing; run `npm run build` first");
    process.exit(2);
  }
  throw err;
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(2);
  },
);
