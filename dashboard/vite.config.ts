import { fileURLToPath } from "node:url";
import { resolve } from "node:path";
import { defineConfig } from "vite";

/** The dashboard folder (this file's folder), whatever the working directory of `vite`. */
const dashboardDir = fileURLToPath(new URL(".", import.meta.url));

/**
 * Builds the browser dashboard into `<repo>/dist/dashboard`, which the collector serves at `/`.
 * `vite --config dashboard/vite.config.ts` serves it for development, proxying the API (and its
 * WebSocket) to a collector on 127.0.0.1:8080, e.g. the one `wardwatch demo` starts.
 */
export default defineConfig({
  root: dashboardDir,
  base: "/",
  // No public/ folder: everything the page needs is bundled (the province network may have no Internet).
  publicDir: false,
  build: {
    outDir: resolve(dashboardDir, "../dist/dashboard"),
    emptyOutDir: true,
    target: "es2022",
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": { target: "http://127.0.0.1:8080", ws: true },
    },
  },
});
