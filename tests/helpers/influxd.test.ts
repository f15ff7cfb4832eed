import { describe, expect, it } from "vitest";
import { startInfluxd } from "./influxd.js";

describe("tests/helpers/influxd", () => {
  it("starts with auth enabled, refuses anonymous queries, and restarts on the same port and data", async () => {
    const influxd = await startInfluxd();
    try {
      const anon = await fetch(`${influxd.url}/query?q=SHOW+DATABASES`);
      expect(anon.status).toBe(401);
      const authed = await fetch(`${influxd.url}/query?q=SHOW+DATABASES&u=${influxd.username}&p=${influxd.password}`);
      expect(authed.status).toBe(200);
      await influxd.stop();
      await influxd.restart();
      expect((await fetch(`${influxd.url}/ping`)).status).toBe(204);
    } finally {
      await influxd.remove();
    }
  });
});
