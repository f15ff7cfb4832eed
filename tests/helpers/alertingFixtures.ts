import { toCollectorConfig, type CollectorConfig } from "../../config/collectorSchema.js";
import { collectorFileSchema } from "../../collector/config.js";
import type { NewIncident } from "../../collector/incidents/incidentStore.js";
import { linkIncidentFixture } from "./incidentFixtures.js";
import type { Channel, DeliveryResult, Notification, ReceiverConfig } from "../../collector/alerts/notification.js";

/** Monday 6 January 2025, 08:00 in Asia/Ho_Chi_Minh (01:00 UTC): inside office hours. */
export const MONDAY_0800_ICT = Date.parse("2025-01-06T01:00:00Z");

/**
 * A small province, validated by the real schema: providers vnpt (vnpt-noc) and viettel (viettel-noc); sites
 * tan-phong (links tslcd/vnpt dedicated, inet/viettel internet; contact ward-it-tan-phong) and nhon-trach (link
 * tslcd/vnpt; contact ward-it-nhon-trach); province receiver province-ict; on-call receivers oncall and director
 * for rules and escalation. `file` keys (snake_case, as in the YAML) replace the base ones.
 */
export function alertingConfig(file: Record<string, unknown> = {}): CollectorConfig {
  return toCollectorConfig(
    collectorFileSchema.parse({
      province: { id: "dong-nai", name: "Đồng Nai", timezone: "Asia/Ho_Chi_Minh" },
      receivers: [
        { id: "vnpt-noc", name: "VNPT NOC", webhook: { url: "http://127.0.0.1:9/vnpt", secret: { env: "VNPT_SECRET" } }, email: { to: ["noc@vnpt.example"] } },
        { id: "viettel-noc", name: "Viettel NOC", webhook: { url: "http://127.0.0.1:9/viettel", secret: { env: "VIETTEL_SECRET" } } },
        { id: "province-ict", name: "Tổ giám sát", email: { to: ["giamsat@tinh.example"] } },
        { id: "ward-it-tan-phong", name: "CNTT Tân Phong", email: { to: ["tanphong@tinh.example"] } },
        { id: "ward-it-nhon-trach", name: "CNTT Nhơn Trạch", email: { to: ["nhontrach@tinh.example"] } },
        { id: "oncall", name: "Trực đêm", webhook: { url: "http://127.0.0.1:9/oncall", secret: { env: "ONCALL_SECRET" } } },
        { id: "director", name: "Giám đốc", email: { to: ["giamdoc@tinh.example"] } },
      ],
      smtp: { host: "127.0.0.1", from: "wardwatch@tinh.example" },
      alerting: { province_receivers: ["province-ict"], escalate_to: ["director"] },
      providers: [
        { id: "vnpt", name: "VNPT", notify: ["vnpt-noc"] },
        { id: "viettel", name: "Viettel", notify: ["viettel-noc"] },
      ],
      sites: [
        {
          id: "tan-phong",
          name: "Phường Tân Phong",
          contacts: ["ward-it-tan-phong"],
          links: [
            { id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: "VNPT-TSL-0001", bandwidth_mbps: 100 },
            { id: "inet", kind: "internet", provider: "viettel", circuit: "VT-FTTH-0001", bandwidth_mbps: 200 },
          ],
        },
        {
          id: "nhon-trach",
          name: "Xã Nhơn Trạch",
          contacts: ["ward-it-nhon-trach"],
          links: [{ id: "tslcd", kind: "dedicated", provider: "vnpt", circuit: "VNPT-TSL-0002", bandwidth_mbps: 100 }],
        },
      ],
      ...file,
    }),
  );
}

/** The configuration's receivers with their secrets "resolved" to fixed test values. */
export function resolvedReceivers(config: CollectorConfig): ReceiverConfig[] {
  return config.receivers.map((r) => ({ ...r, webhook: r.webhook ? { url: r.webhook.url, secret: `secret-${r.id}`, timeoutMs: r.webhook.timeoutMs } : null }));
}

/** A link incident on tan-phong's VNPT leased line, detected at `detectedTs`; `changes` replace fields. */
export function linkIncident(detectedTs: number, changes: Partial<NewIncident> = {}): NewIncident {
  // The store tests' incident, with this configuration's circuit ID, no evidence, and started 30 s before detection.
  return linkIncidentFixture({ circuit: "VNPT-TSL-0001", evidence: [], startTs: detectedTs - 30_000, detectedTs, ...changes });
}

/** One call a {@link FakeChannel} received. */
export interface ChannelCall {
  receiver: string;
  message: Notification["message"];
  idempotencyKey: string;
  incidentState: "open" | "closed";
  ackUrl: string | null;
}

/**
 * A channel that records every call and answers from `answer` (delivered when absent). `hold()` makes the next
 * calls wait until `release()`, to test deliveries in progress.
 */
export class FakeChannel implements Channel {
  readonly calls: ChannelCall[] = [];
  answer: (notification: Notification, callIndex: number) => DeliveryResult = () => ({ ok: true, detail: "200 OK" });
  #held: Array<() => void> | null = null;

  constructor(readonly name: "webhook" | "email") {}

  handles(receiver: ReceiverConfig): boolean {
    return this.name === "webhook" ? receiver.webhook !== null : receiver.email !== null;
  }

  async send(notification: Notification): Promise<DeliveryResult> {
    const index = this.calls.length;
    this.calls.push({
      receiver: notification.receiver.id,
      message: notification.message,
      idempotencyKey: notification.idempotencyKey,
      incidentState: notification.incident.state,
      ackUrl: notification.ackUrl,
    });
    if (this.#held) await new Promise<void>((resolve) => this.#held?.push(resolve));
    return this.answer(notification, index);
  }

  hold(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const resolve of held) resolve();
  }

  /** "receiver message" of every call, in order. */
  sent(): string[] {
    return this.calls.map((c) => `${c.receiver} ${c.message}`);
  }
}
