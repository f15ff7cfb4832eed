import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import express, { type Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentsRouter } from "../../../collector/api/incidentsRoute.js";
import { jsonErrorHandler } from "../../../collector/api/httpErrors.js";
import { responseTimesRouter } from "../../../collector/api/responseTimesRoute.js";
import { SqliteMetadataStore } from "../../../collector/store/sqlite.js";
import type { ResponseTimesReport } from "../../../protocol/incident.js";
import { linkIncidentFixture } from "../../helpers/incidentFixtures.js";
import { actAs, PROVINCE_SCOPE, scopeFilterOf } from "../../helpers/auth.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 30/06/2025 08:00 in UTC+7. */
const NOW = Date.UTC(2025, 5, 30, 1, 0);

/** An app serving `router` under /api/v1 on loopback; returns its base URL and a way to stop it. */
async function serve(router: Router, unexpected: unknown[]): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express();
  app.use(actAs());
  app.use("/api/v1", router);
  app.use(jsonErrorHandler((err) => unexpected.push(err)));
  const server: Server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("collector/api/responseTimesRoute", () => {
  const store = SqliteMetadataStore.open(":memory:");
  const unexpected: unknown[] = [];
  let app: Awaited<ReturnType<typeof serve>>;
  let small: Awaited<ReturnType<typeof serve>>;

  const get = async (base: string, path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    const incidents = store.incidents;
    // 1: VNPT link, 10 days ago: notified after 2 min, acknowledged 5 min later, restored after 2 h.
    incidents.openIncident(linkIncidentFixture({ startTs: NOW - 10 * DAY, detectedTs: NOW - 10 * DAY + MINUTE }));
    incidents.updateIncident(1, { notifiedTs: NOW - 10 * DAY + 2 * MINUTE, acknowledgedTs: NOW - 10 * DAY + 7 * MINUTE, vendorTicket: "VNPT-1", restoredTs: NOW - 10 * DAY + 2 * HOUR, endTs: NOW - 10 * DAY + 2 * HOUR });
    // 2: VNPT link, 5 days ago: notified after 1 min, acknowledged 30 min later, restored after 4 h.
    incidents.openIncident(linkIncidentFixture({ startTs: NOW - 5 * DAY, detectedTs: NOW - 5 * DAY + MINUTE }));
    incidents.updateIncident(2, { notifiedTs: NOW - 5 * DAY + MINUTE, acknowledgedTs: NOW - 5 * DAY + 31 * MINUTE, restoredTs: NOW - 5 * DAY + 4 * HOUR, endTs: NOW - 5 * DAY + 4 * HOUR });
    // 3: VNPT provider-wide outage, 2 days ago, still open and not acknowledged.
    incidents.openIncident(linkIncidentFixture({ key: "provider:vnpt", kind: "provider", cause: "provider_outage", severity: "critical", link: null, startTs: NOW - 2 * DAY, detectedTs: NOW - 2 * DAY + MINUTE }));
    incidents.updateIncident(3, { notifiedTs: NOW - 2 * DAY + 3 * MINUTE });
    // 4: a VNPT link merged into 3: counted there, not here.
    incidents.openIncident(linkIncidentFixture({ key: "link:nhon-trach:tslcd", startTs: NOW - 2 * DAY - MINUTE, detectedTs: NOW - 2 * DAY }));
    incidents.updateIncident(4, { mergedInto: 3, endTs: NOW - 2 * DAY + MINUTE });
    // 5: a silent site whose backlog showed its Viettel links down: acknowledged without a notification, restored after 45 min.
    incidents.openIncident(linkIncidentFixture({ key: "site:bien-hoa", kind: "site", cause: "agent_silent", severity: "critical", provider: null, providerName: null, link: null, startTs: NOW - DAY, detectedTs: NOW - DAY + 3 * MINUTE }));
    incidents.updateIncident(5, { cause: "links_down_while_silent", provider: "viettel", providerName: "Viettel", acknowledgedTs: NOW - DAY + 10 * MINUTE, restoredTs: NOW - DAY + 45 * MINUTE, endTs: NOW - DAY + 50 * MINUTE });
    // 6: a silent site that was a power cut, no vendor; 7: an FPT link 40 days ago, outside the default window.
    incidents.openIncident(linkIncidentFixture({ key: "site:long-thanh", kind: "site", cause: "power_or_agent", provider: null, providerName: null, link: null, startTs: NOW - 3 * DAY }));
    incidents.openIncident(linkIncidentFixture({ key: "link:long-thanh:inet", provider: "fpt", providerName: "FPT Telecom", startTs: NOW - 40 * DAY }));
    incidents.updateIncident(7, { restoredTs: NOW - 40 * DAY + HOUR, endTs: NOW - 40 * DAY + HOUR });

    const deps = {
      incidents,
      now: () => NOW,
      acknowledge: () => null,
      resolve: () => null,
      causeStillPresent: () => null,
      filter: scopeFilterOf(),
      audit: () => {},
    };
    app = await serve(incidentsRouter(deps), unexpected);
    small = await serve(responseTimesRouter({ incidents, now: () => NOW, maxIncidents: 2, scopeOf: () => PROVINCE_SCOPE }), unexpected);
  });
  afterAll(async () => {
    await app.close();
    await small.close();
    store.close();
    expect(unexpected).toEqual([]);
  });

  it("measures the last 30 days per vendor by default, through the incidents router (not taken for an incident id)", async () => {
    const res = await get(app.base, "/incidents/response-times");
    expect(res.status).toBe(200);
    const report = res.json as ResponseTimesReport;
    expect(report).toMatchObject({ fromTs: NOW - 30 * DAY, toTs: NOW, truncated: false, maxIncidents: 5000 });
    expect(report.providers).toEqual([
      {
        provider: "viettel",
        providerName: "Viettel",
        incidents: 1,
        acknowledged: 1,
        open: 0,
        timeToAcknowledge: { count: 0, medianMs: null, p90Ms: null, maxMs: null },
        timeToRestore: { count: 1, medianMs: 45 * MINUTE, p90Ms: 45 * MINUTE, maxMs: 45 * MINUTE },
      },
      {
        provider: "vnpt",
        providerName: "VNPT",
        incidents: 3,
        acknowledged: 2,
        open: 1,
        timeToAcknowledge: { count: 2, medianMs: 5 * MINUTE, p90Ms: 30 * MINUTE, maxMs: 30 * MINUTE },
        timeToRestore: { count: 2, medianMs: 2 * HOUR, p90Ms: 4 * HOUR, maxMs: 4 * HOUR },
      },
    ]);
  });

  it("takes from and to as UTC ms or ISO times with a zone, counting starts in [from, to)", async () => {
    const all = await get(app.base, `/incidents/response-times?from=${NOW - 60 * DAY}&to=${NOW}`);
    expect(all.status).toBe(200);
    expect((all.json as ResponseTimesReport).providers.map((p) => [p.provider, p.incidents])).toEqual([
      ["fpt", 1],
      ["viettel", 1],
      ["vnpt", 3],
    ]);
    // [start of incident 2, start of incident 5): incidents 2 and 3 (and 4, merged); 5 starts exactly at `to`.
    const from = new Date(NOW - 5 * DAY).toISOString();
    const to = encodeURIComponent(new Date(NOW - DAY + 7 * HOUR).toISOString().replace("Z", "+07:00"));
    const window = await get(app.base, `/incidents/response-times?from=${from}&to=${to}`);
    expect(window.status).toBe(200);
    expect(window.json).toMatchObject({ fromTs: NOW - 5 * DAY, toTs: NOW - DAY });
    expect((window.json as ResponseTimesReport).providers.map((p) => [p.provider, p.incidents, p.open])).toEqual([["vnpt", 2, 1]]);
    // Only `from`: up to now.
    const since = await get(app.base, `/incidents/response-times?from=${NOW - 3 * DAY}`);
    expect(since.json).toMatchObject({ fromTs: NOW - 3 * DAY, toTs: NOW });
  });

  it("answers an empty list for a window without vendor incidents", async () => {
    const res = await get(app.base, `/incidents/response-times?from=${NOW - 100 * DAY}&to=${NOW - 50 * DAY}`);
    expect(res).toEqual({ status: 200, json: { fromTs: NOW - 100 * DAY, toTs: NOW - 50 * DAY, truncated: false, maxIncidents: 5000, providers: [] } });
  });

  it("measures only the latest-started incidents beyond its limit, and says so", async () => {
    const res = await get(small.base, "/incidents/response-times");
    expect(res.status).toBe(200);
    const report = res.json as ResponseTimesReport;
    expect(report).toMatchObject({ truncated: true, maxIncidents: 2 });
    // The two latest starts with a provider are 5 (viettel) and 3 (vnpt, open).
    expect(report.providers.map((p) => [p.provider, p.incidents, p.open])).toEqual([
      ["viettel", 1, 0],
      ["vnpt", 1, 1],
    ]);
  });

  it.each([
    ["from=yesterday", "bad_from", /^from must be UTC milliseconds .* or an ISO 8601 time with its zone/],
    ["from=2025-06-01T00:00:00", "bad_from", /from must be/],
    ["from=2025-06-01", "bad_from", /from must be/],
    ["from=2025-02-30T00:00:00Z", "bad_from", /from must be/],
    ["from=2025-06-01T24:00:00Z", "bad_from", /from must be/],
    ["from=", "bad_from", /from must be/],
    ["from=-5", "bad_from", /from must be/],
    ["to=1e12", "bad_to", /^to must be/],
    ["to=12345678901234567", "bad_to", /^to must be/],
    ["from=1&from=2", "bad_from", /from must be given once/],
    [`from=${NOW}&to=${NOW}`, "bad_range", /from \(2025-06-30T01:00:00.000Z\) must be before to \(2025-06-30T01:00:00.000Z\)/],
    [`from=${NOW + DAY}`, "bad_range", /must be before to/],
    [`from=0`, "bad_range", /at most 366 days/],
    ["since=2025-06-01T00:00:00Z", "unknown_param", /unknown parameter 'since' \(known: from, to\)/],
    ["from[]=1", "bad_from", /^from must be given once, as text/],
    ["to=2100-01-01T00:00:01Z", "bad_to", /^to must be between 1970-01-01 and 2100-01-01/],
  ])("refuses %s with 400 naming the parameter", async (query, error, message) => {
    const res = await get(app.base, `/incidents/response-times?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe(error);
    expect(res.json.message).toMatch(message);
  });

  it("leaves GET /incidents/:id as it was", async () => {
    expect((await get(app.base, "/incidents/SC-000002")).json).toMatchObject({ id: 2, provider: "vnpt" });
    expect((await get(app.base, "/incidents/response-time")).json.error).toBe("bad_id");
  });
});
