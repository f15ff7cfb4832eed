import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Channel, DeliveryResult, Notification, ReceiverConfig } from "../notification.js";
import { signWebhook } from "../signature.js";

/**
 * Delivers notifications as a signed JSON POST to the receiver's webhook URL (e.g. a vendor NOC's ticketing
 * gateway, `https://noc.vendor.example/wardwatch`). Receiver config (validated in config/alertingSchema.ts):
 *
 *   receivers:
 *     - id: vnpt-noc
 *       name: VNPT – Trung tâm điều hành mạng
 *       webhook: { url: "https://noc.vnpt.example/hooks/wardwatch", secret: { env: WARDWATCH_VNPT_SECRET }, timeout: 10s }
 *
 * The request:
 * - body (UTF-8 JSON, {@link WebhookBody}): `{ version: 1, idempotencyKey, message, incident, sites, ackUrl, sentAt }`;
 * - headers: `Content-Type: application/json`, `X-Wardwatch-Timestamp` (unix seconds), `X-Wardwatch-Signature`
 *   (`sha256=<hex>`, see signature.ts for how to verify it), `Idempotency-Key` (the same on every retry of one
 *   message: receivers drop duplicates by it), `User-Agent: wardwatch`.
 *
 * Classification (retrying is the pipeline's job): 2xx ok; 5xx, 408, 429, timeouts and connection errors retryable;
 * every other status (3xx — redirects are not followed —, 4xx) not retryable. Never throws for a delivery failure.
 */
export class WebhookChannel implements Channel {
  readonly name = "webhook" as const;
  readonly #now: () => number;

  /** `now`: the clock for the timestamp header and `sentAt`, UTC ms (tests pass a fixed one). */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** True when the receiver has a webhook configured. */
  handles(receiver: ReceiverConfig): boolean {
    return receiver.webhook !== null;
  }

  /**
   * POSTs the notification once, within `receiver.webhook.timeoutMs` (connect, send and response status), and
   * classifies the outcome. `signal` aborting ends the request early (retryable, detail "aborted"); the channel
   * adds one listener to it per call and removes it when the call ends, so a long-lived signal is fine.
   */
  async send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const webhook = notification.receiver.webhook;
    if (webhook === null) return { ok: false, retryable: false, detail: "receiver has no webhook" };
    const url = URL.canParse(webhook.url) ? new URL(webhook.url) : null;
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
      return { ok: false, retryable: false, detail: "webhook URL is not http:// or https://" };
    }

    const sentAtMs = this.#now();
    const body = JSON.stringify(webhookBody(notification, sentAtMs));
    const timestampSec = Math.floor(sentAtMs / 1000);
    const headers = {
      "Content-Type": "application/json",
      "Content-Length": String(Buffer.byteLength(body)),
      "X-Wardwatch-Timestamp": String(timestampSec),
      "X-Wardwatch-Signature": signWebhook(webhook.secret, timestampSec, body),
      "Idempotency-Key": notification.idempotencyKey,
      "User-Agent": "wardwatch",
    };
    return postOnce(url, headers, body, webhook.timeoutMs, signal);
  }
}

/**
 * The JSON body of a webhook request, version 1. `message`: which message this is (report, recovery, repeat,
 * escalation, update); `incident`: the incident as the API shows it (times in UTC ms); `sites`: the incident's sites'
 * address, coordinates, local contacts and the affected links' circuit IDs; `ackUrl`: the signed acknowledgement link (null for a recovery);
 * `sentAt`: when this attempt was sent, UTC ms.
 */
export interface WebhookBody {
  version: 1;
  idempotencyKey: string;
  message: Notification["message"];
  incident: Notification["incident"];
  sites: Notification["siteDetails"];
  ackUrl: string | null;
  sentAt: number;
}

/** The request body for `notification` sent at `sentAtMs` (UTC ms). */
export function webhookBody(notification: Notification, sentAtMs: number): WebhookBody {
  return {
    version: 1,
    idempotencyKey: notification.idempotencyKey,
    message: notification.message,
    incident: notification.incident,
    sites: notification.siteDetails,
    ackUrl: notification.ackUrl,
    sentAt: sentAtMs,
  };
}

/** How a finished HTTP status is classified: 2xx ok; 5xx, 408 (request timeout), 429 (too many requests) retryable. */
export function classifyStatus(status: number): DeliveryResult {
  const detail = `HTTP ${status}`;
  if (status >= 200 && status < 300) return { ok: true, detail };
  return { ok: false, retryable: status >= 500 || status === 408 || status === 429, detail };
}

/** One POST, no redirects, no keep-alive (nothing lingers between notifications, which are rare). */
function postOnce(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, signal: AbortSignal): Promise<DeliveryResult> {
  if (signal.aborted) return Promise.resolve({ ok: false, retryable: true, detail: "aborted" });
  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    let request: ClientRequest | null = null;
    let response: IncomingMessage | null = null;

    const cleanup = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    };
    const settle = (result: DeliveryResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // Ends the exchange: the result is settled first, so the errors destroy() raises are ignored.
    const fail = (detail: string): void => {
      settle({ ok: false, retryable: true, detail });
      cleanup();
      request?.destroy();
      response?.destroy();
    };
    const onAbort = (): void => fail("aborted");
    const timer = setTimeout(() => fail(`timeout after ${timeoutMs} ms`), timeoutMs);
    signal.addEventListener("abort", onAbort, { once: true });

    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    request = send(url, { method: "POST", headers, agent: false });
    request.on("response", (res) => {
      response = res;
      // The status is the answer; the body is read and dropped so the connection can close cleanly, still
      // bounded by the timer (a receiver that never finishes its body is cut off, its status already counted).
      settle(classifyStatus(res.statusCode ?? 0));
      res.resume();
      res.on("end", cleanup);
      res.on("error", cleanup);
      res.on("close", cleanup);
    });
    request.on("error", (err: NodeJS.ErrnoException) => fail(err.code ?? err.message));
    request.end(body);
  });
}
