#!/usr/bin/env node
// Entry point: runs the compiled command line (npm run build writes dist/).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === "number") process.exitCode = code; },
  (err) => { console.error(err instanceof Error ? err.stack : err); process.exitCode = 2; },
);
