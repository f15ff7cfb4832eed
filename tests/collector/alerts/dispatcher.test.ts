import { describe, expect, it } from "vitest";
import type { StoredIncident } from "../../../collector/incidents/incidentStore.js";
import { alertingConfig, linkIncident, MONDAY_0800_ICT, resolvedReceivers } from "../../helpers/alertingFixtures.js";
import { dispatcherHarness, type DispatcherHarness } from "../../helpers/dispatcherHarness.js";

const T0 = MONDAY_0800_ICT;
const GROUP_WAIT = 10_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Who a tan-phong VNPT link incident is reported to, per channel (vnpt-noc has a webhook and an e-mail address). */
function toLinkReceivers(message: string): string[] {
  return [`email province-ict ${message}`, `email vnpt-noc ${message}`, `email ward-it-tan-phong ${message}`, `webhook vnpt-noc ${message}`];
}

/** Opens a link incident detected at `detectedTs` as the incident engine would, and tells the dispatcher. */
function openLink(h: DispatcherHarness, detectedTs = T0, changes = {}): StoredIncident {
  const incident = h.store.openIncident(linkIncident(detectedTs, changes));
  h.dispatcher.incidentOpened(incident);
  return incident;
}

function close(h: DispatcherHarness, id: number, changes = {}): StoredIncident {
  const closed = h.store.updateIncident(id, { restoredTs: h.clock.nowMs, endTs: h.clock.nowMs, ...changes })!;
  h.dispatcher.incidentClosed(closed);
  return closed;
}

async function tickAt(h: DispatcherHarness, ms: number): Promise<string[]> {
  h.clock.at(ms);
  await h.dispatcher.tick();
  return h.sentSince();
}

describe("dispatcher", () => {
  it("sends the report once the group wait is over, not before, to each receiver through each of its channels", async () => {
    const h = dispatcherHarness();
    const incident = openLink(h);
    expect(await tickAt(h, T0)).toEqual([]);
    expect(await tickAt(h, T0 + GROUP_WAIT - 1)).toEqual([]);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual(toLinkReceivers("report"));
    expect(await tickAt(h, T0 + GROUP_WAIT + 1000)).toEqual([]);

    const stored = h.store.getIncident(incident.id)!;
    expect(stored.timeline.notifiedTs).toBe(T0 + GROUP_WAIT);
    expect(stored.deliveries).toHaveLength(4);
    expect(stored.deliveries.every((a) => a.ok && a.message === "report" && a.attempt === 1)).toBe(true);
    expect(h.webhook.calls[0]).toEqual({
      receiver: "vnpt-noc",
      message: "report",
      idempotencyKey: `${incident.id}:vnpt-noc:report:1`,
      incidentState: "open",
      ackUrl: `https://wardwatch.dong-nai.example/ack/${incident.id}/vnpt-noc`,
    });
  });

  it("closed within the group wait: nothing is sent, ever (flapping damped)", async () => {
    const h = dispatcherHarness();
    const incident = openLink(h);
    h.clock.at(T0 + 5000);
    close(h, incident.id);
    for (const ms of [T0 + GROUP_WAIT, T0 + HOUR, T0 + 5 * HOUR]) expect(await tickAt(h, ms)).toEqual([]);
    expect(h.store.getIncident(incident.id)!.deliveries).toEqual([]);
    expect(h.store.getIncident(incident.id)!.timeline.notifiedTs).toBeNull();
    expect(h.dispatcher.followedCount).toBe(0);
  });

  it("merged into a provider incident within the group wait: only the provider incident is reported", async () => {
    const h = dispatcherHarness();
    const link = openLink(h);
    h.clock.at(T0 + 4000);
    const outage = h.store.openIncident(
      linkIncident(T0 + 4000, {
        key: "provider:vnpt",
        kind: "provider",
        cause: "provider_outage",
        severity: "critical",
        link: null,
        linkKind: null,
        circuit: null,
        sites: [
          { site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] },
          { site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] },
        ],
      }),
    );
    h.dispatcher.incidentOpened(outage);
    close(h, link.id, { mergedInto: outage.id });
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual([]);
    expect(await tickAt(h, T0 + 4000 + GROUP_WAIT)).toEqual(
      ["email province-ict report", "email vnpt-noc report", "email ward-it-nhon-trach report", "email ward-it-tan-phong report", "webhook vnpt-noc report"].sort(),
    );
    expect(h.webhook.calls.every((c) => c.idempotencyKey.startsWith(`${outage.id}:`))).toBe(true);
  });

  it("merged after its report went out: no recovery notice for it", async () => {
    const h = dispatcherHarness();
    const link = openLink(h);
    await tickAt(h, T0 + GROUP_WAIT);
    h.sentSince();
    h.clock.at(T0 + MINUTE);
    close(h, link.id, { mergedInto: 999 });
    expect(await tickAt(h, T0 + 2 * MINUTE)).toEqual([]);
  });

  it("sends the recovery notice to exactly the receivers that got the report", async () => {
    const h = dispatcherHarness();
    // The ward's mailbox rejects the report for good; the others get it.
    h.email.answer = (n) => (n.receiver.id === "ward-it-tan-phong" ? { ok: false, retryable: false, detail: "550 mailbox unavailable" } : { ok: true, detail: "250 OK" });
    const incident = openLink(h);
    await tickAt(h, T0 + GROUP_WAIT);
    h.sentSince();
    h.clock.at(T0 + 20 * MINUTE);
    close(h, incident.id);
    expect(await tickAt(h, T0 + 20 * MINUTE)).toEqual(["email province-ict recovery", "email vnpt-noc recovery", "webhook vnpt-noc recovery"]);
    expect(h.email.calls.filter((c) => c.message === "recovery").every((c) => c.ackUrl === null && c.incidentState === "closed")).toBe(true);
    expect(await tickAt(h, T0 + 21 * MINUTE)).toEqual([]);
    expect(h.dispatcher.followedCount).toBe(0);
  });

  it("a report that failed on one channel still counts on the other: recovery through the one that delivered", async () => {
    const h = dispatcherHarness();
    h.webhook.answer = () => ({ ok: false, retryable: true, detail: "HTTP 503" });
    const incident = openLink(h);
    await tickAt(h, T0 + GROUP_WAIT);
    expect(h.webhook.calls).toHaveLength(3); // three attempts, then given up
    h.sentSince();
    h.clock.at(T0 + HOUR);
    close(h, incident.id);
    expect(await tickAt(h, T0 + HOUR)).toEqual(["email province-ict recovery", "email vnpt-noc recovery", "email ward-it-tan-phong recovery"]);
  });

  it("repeats every repeat interval while open and not acknowledged; escalates once after escalate_after", async () => {
    const h = dispatcherHarness();
    const incident = openLink(h);
    const reportTs = T0 + GROUP_WAIT;
    await tickAt(h, reportTs);
    h.sentSince();
    expect(await tickAt(h, reportTs + 30 * MINUTE - 1)).toEqual([]);
    expect(await tickAt(h, reportTs + 30 * MINUTE)).toEqual(["email director escalation"]);
    expect(await tickAt(h, reportTs + 31 * MINUTE)).toEqual([]);
    expect(await tickAt(h, reportTs + 4 * HOUR - 1)).toEqual([]);
    expect(await tickAt(h, reportTs + 4 * HOUR)).toEqual(toLinkReceivers("repeat"));
    expect(await tickAt(h, reportTs + 4 * HOUR + MINUTE)).toEqual([]);
    expect(await tickAt(h, reportTs + 8 * HOUR)).toEqual(toLinkReceivers("repeat"));
    const repeatKeys = h.webhook.calls.filter((c) => c.message === "repeat").map((c) => c.idempotencyKey);
    expect(repeatKeys).toEqual([`${incident.id}:vnpt-noc:repeat:1`, `${incident.id}:vnpt-noc:repeat:2`]);
    // Escalation was told the incident was open, so it hears of its end too.
    h.clock.at(reportTs + 9 * HOUR);
    close(h, incident.id);
    expect(await tickAt(h, reportTs + 9 * HOUR)).toEqual([...toLinkReceivers("recovery"), "email director recovery"].sort());
  });

  it("after a long stop of the clock, sends one repeat, not every missed one", async () => {
    const h = dispatcherHarness();
    openLink(h);
    await tickAt(h, T0 + GROUP_WAIT);
    await tickAt(h, T0 + GROUP_WAIT + 30 * MINUTE);
    h.sentSince();
    expect(await tickAt(h, T0 + 13 * HOUR)).toEqual(toLinkReceivers("repeat"));
    expect(await tickAt(h, T0 + 13 * HOUR + 1)).toEqual([]);
    expect(await tickAt(h, T0 + 17 * HOUR)).toEqual(toLinkReceivers("repeat"));
  });

  it("acknowledged: no more repeats, no escalation; the recovery still goes out", async () => {
    const h = dispatcherHarness();
    const incident = openLink(h);
    await tickAt(h, T0 + GROUP_WAIT);
    h.sentSince();
    h.clock.at(T0 + 10 * MINUTE);
    h.dispatcher.acknowledged(h.store.updateIncident(incident.id, { acknowledgedTs: h.clock.nowMs, acknowledgedBy: "vnpt-noc", vendorTicket: "VNPT-4411" })!);
    for (const ms of [T0 + HOUR, T0 + 5 * HOUR, T0 + 9 * HOUR]) expect(await tickAt(h, ms)).toEqual([]);
    close(h, incident.id);
    expect(await tickAt(h, T0 + 9 * HOUR)).toEqual(toLinkReceivers("recovery"));
  });

  it("muted by maintenance and closed inside the window: nothing is sent, not even after the window", async () => {
    const h = dispatcherHarness({ file: { maintenance: [{ id: "vnpt-works", provider: "vnpt", start: new Date(T0).toISOString(), end: new Date(T0 + HOUR).toISOString() }] } });
    const incident = openLink(h, T0 + MINUTE);
    expect(await tickAt(h, T0 + MINUTE + GROUP_WAIT)).toEqual([]);
    h.clock.at(T0 + 30 * MINUTE);
    close(h, incident.id);
    for (const ms of [T0 + 31 * MINUTE, T0 + HOUR, T0 + 2 * HOUR]) expect(await tickAt(h, ms)).toEqual([]);
    expect(h.store.getIncident(incident.id)!.deliveries).toEqual([]);
  });

  it("muted by maintenance but still open when the window ends: reported then", async () => {
    const h = dispatcherHarness({ file: { maintenance: [{ id: "vnpt-works", provider: "vnpt", start: new Date(T0).toISOString(), end: new Date(T0 + HOUR).toISOString() }] } });
    openLink(h, T0 + MINUTE);
    expect(await tickAt(h, T0 + 59 * MINUTE)).toEqual([]);
    expect(await tickAt(h, T0 + HOUR)).toEqual(toLinkReceivers("report"));
    // Escalation counts from the report, not from detection.
    expect(await tickAt(h, T0 + HOUR + 29 * MINUTE)).toEqual([]);
    expect(await tickAt(h, T0 + HOUR + 30 * MINUTE)).toEqual(["email director escalation"]);
  });

  it("a window for another provider mutes nothing", async () => {
    const h = dispatcherHarness({ file: { maintenance: [{ id: "viettel-works", provider: "viettel", start: new Date(T0).toISOString(), end: new Date(T0 + HOUR).toISOString() }] } });
    openLink(h);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual(toLinkReceivers("report"));
  });

  it("sites added before the report are in it; a ward added afterwards gets the report on the next tick", async () => {
    const h = dispatcherHarness();
    const tanPhong = { site: "tan-phong", siteName: "Phường Tân Phong", links: ["tslcd"] };
    const nhonTrach = { site: "nhon-trach", siteName: "Xã Nhơn Trạch", links: ["tslcd"] };
    const outage = h.store.openIncident(linkIncident(T0, { key: "provider:vnpt", kind: "provider", cause: "provider_outage", link: null, linkKind: null, sites: [tanPhong] }));
    h.dispatcher.incidentOpened(outage);
    h.clock.at(T0 + 5000);
    h.dispatcher.incidentUpdated(h.store.updateIncident(outage.id, { sites: [tanPhong, nhonTrach] })!);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toContain("email ward-it-nhon-trach report");
    const bienHoa = { site: "bien-hoa", siteName: "Biên Hòa", links: ["tslcd"] };
    h.dispatcher.incidentUpdated(h.store.updateIncident(outage.id, { sites: [tanPhong, nhonTrach, bienHoa] })!);
    expect(await tickAt(h, T0 + 2 * MINUTE)).toEqual([]); // bien-hoa has no contact in this province
  });

  it("a delivery in progress is not started again by the next tick", async () => {
    const h = dispatcherHarness();
    h.webhook.hold();
    openLink(h);
    h.clock.at(T0 + GROUP_WAIT);
    const first = h.dispatcher.tick();
    await h.dispatcher.tick();
    h.clock.at(T0 + GROUP_WAIT + 5000);
    await h.dispatcher.tick();
    expect(h.webhook.calls).toHaveLength(1);
    h.webhook.release();
    await first;
    await h.dispatcher.tick();
    expect(h.webhook.calls).toHaveLength(1);
  });

  it("a receiver that hangs or fails does not hold up the others", async () => {
    const h = dispatcherHarness();
    h.webhook.hold();
    const incident = openLink(h);
    h.clock.at(T0 + GROUP_WAIT);
    const ticking = h.dispatcher.tick();
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.store.getIncident(incident.id)!.deliveries.filter((a) => a.ok).map((a) => `${a.channel} ${a.receiver}`).sort()).toEqual([
      "email province-ict",
      "email vnpt-noc",
      "email ward-it-tan-phong",
    ]);
    h.webhook.release();
    await ticking;
  });

  it("sets notifiedTs at the first successful delivery only, and counts every attempt per channel through the hook", async () => {
    const h = dispatcherHarness();
    h.email.answer = () => ({ ok: false, retryable: false, detail: "550" });
    h.webhook.answer = (_n, i) => (i === 0 ? { ok: false, retryable: true, detail: "HTTP 500" } : { ok: true, detail: "HTTP 200" });
    const incident = openLink(h);
    h.clock.at(T0 + GROUP_WAIT);
    await h.dispatcher.tick();
    expect(h.store.getIncident(incident.id)!.timeline.notifiedTs).toBe(T0 + GROUP_WAIT);
    const count = (channel: string, ok: boolean) => h.hooked.filter((a) => a.channel === channel && a.ok === ok).length;
    expect([count("webhook", true), count("webhook", false), count("email", true), count("email", false)]).toEqual([1, 1, 0, 3]);
  });

  it("a site incident the backfill proves was its links: the vendors get a report of the closed outage", async () => {
    const h = dispatcherHarness();
    const silent = h.store.openIncident(
      linkIncident(T0, {
        key: "site:tan-phong",
        kind: "site",
        cause: "agent_silent",
        severity: "critical",
        provider: null,
        providerName: null,
        link: null,
        linkKind: null,
        circuit: null,
        sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: [] }],
      }),
    );
    h.dispatcher.incidentOpened(silent);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual(["email province-ict report", "email ward-it-tan-phong report"]);
    h.clock.at(T0 + HOUR);
    close(h, silent.id, { cause: "links_down_while_silent", restoredTs: T0 + 50 * MINUTE });
    expect(await tickAt(h, T0 + HOUR)).toEqual(
      ["email province-ict recovery", "email vnpt-noc report", "email ward-it-tan-phong recovery", "webhook vnpt-noc report", "webhook viettel-noc report"].sort(),
    );
    expect(h.webhook.calls.every((c) => c.incidentState === "closed")).toBe(true);
    expect(await tickAt(h, T0 + 2 * HOUR)).toEqual([]);
  });

  it("a links_down_while_silent site incident closed inside a window muting it tells nobody", async () => {
    const h = dispatcherHarness({ file: { maintenance: [{ id: "works", sites: ["tan-phong"], start: new Date(T0).toISOString(), end: new Date(T0 + 2 * HOUR).toISOString() }] } });
    const silent = h.store.openIncident(
      linkIncident(T0, { key: "site:tan-phong", kind: "site", cause: "agent_silent", provider: null, link: null, linkKind: null, sites: [{ site: "tan-phong", siteName: "Phường Tân Phong", links: [] }] }),
    );
    h.dispatcher.incidentOpened(silent);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual([]);
    h.clock.at(T0 + HOUR);
    close(h, silent.id, { cause: "links_down_while_silent" });
    expect(await tickAt(h, T0 + 3 * HOUR)).toEqual([]);
  });

  it("logs an unknown receiver once and goes on with the others", async () => {
    const config = alertingConfig();
    const h = dispatcherHarness({ deps: { receivers: resolvedReceivers(config).filter((r) => r.id !== "ward-it-tan-phong") } });
    openLink(h);
    expect(await tickAt(h, T0 + GROUP_WAIT)).toEqual(toLinkReceivers("report").filter((line) => !line.includes("ward-it-tan-phong")));
    await tickAt(h, T0 + GROUP_WAIT + 1000);
    expect(h.logLines.filter((l) => l.message === "unknown receiver" && l.receiver === "ward-it-tan-phong")).toHaveLength(1);
  });
});
