import { getEventListeners } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebhookChannel } from "../../../../collector/alerts/channels/webhook.js";
import type { Notification } from "../../../../collector/alerts/notification.js";
import { verifyWebhook } from "../../../../collector/alerts/signature.js";
import { linkFaultNotification, vendorReceiver } from "../../../helpers/notifications.js";
import { startWebhookReceiver, type WebhookReceiver } from "../../../helpers/webhookReceiver.js";

const SECRET = "webhook-test-secret";

/** A port on 127.0.0.1 nobody listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("collector/alerts/channels/webhook", () => {
  let receiver: WebhookReceiver;
  let notification: (overrides?: { url?: string; secret?: string; timeoutMs?: number }) => Notification;
  const channel = new WebhookChannel();
  const signal = new AbortController().signal;

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
    notification = (overrides = {}) =>
      linkFaultNotification({ receiver: vendorReceiver({ webhook: { url: receiver.url, secret: SECRET, timeoutMs: 2000, ...overrides }, email: null }) });
  });
  afterAll(() => receiver.close());
  // Every test reads its own requests: skip what earlier tests left unread.
  beforeEach(() => receiver.skipReceived());

  it("POSTs the signed JSON body with the idempotency key; 200 is ok", async () => {
    const sent = notification();
    const result = await channel.send(sent, signal);
    expect(result).toEqual({ ok: true, detail: "HTTP 200" });

    const request = await receiver.nextRequest();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/hooks/wardwatch");
    expect(request.signatureValid).toBe(true);
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["user-agent"]).toBe("wardwatch");
    expect(request.headers["idempotency-key"]).toBe("123:vnpt-noc:report");
    const timestamp = Number(request.headers["x-wardwatch-timestamp"]);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(5);
    expect(request.headers["x-wardwatch-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(request.body).toEqual({
      version: 1,
      idempotencyKey: "123:vnpt-noc:report",
      message: "report",
      incident: sent.incident,
      sites: sent.siteDetails,
      ackUrl: sent.ackUrl,
      sentAt: expect.any(Number),
    });
    expect(Math.floor((request.body as { sentAt: number }).sentAt / 1000)).toBe(timestamp);
  });

  it("signs what it sends: a tampered body or another secret does not verify", async () => {
    await channel.send(notification(), signal);
    const request = await receiver.nextRequest();
    const header = request.headers["x-wardwatch-signature"] as string;
    const timestamp = request.headers["x-wardwatch-timestamp"] as string;
    const nowSec = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(SECRET, header, timestamp, request.rawBody, nowSec)).toBe(true);
    expect(verifyWebhook(SECRET, header, timestamp, request.rawBody.replace("SC-000123", "SC-000124"), nowSec)).toBe(false);
    expect(verifyWebhook("another-secret", header, timestamp, request.rawBody, nowSec)).toBe(false);
  });

  it("uses the injected clock for the timestamp and sentAt", async () => {
    const fixedMs = Date.now() - 10_000;
    await new WebhookChannel({ now: () => fixedMs }).send(notification(), signal);
    const request = await receiver.nextRequest();
    expect(request.headers["x-wardwatch-timestamp"]).toBe(String(Math.floor(fixedMs / 1000)));
    expect((request.body as { sentAt: number }).sentAt).toBe(fixedMs);
    expect(request.signatureValid).toBe(true);
  });

  it("a receiver with another secret answers 401: not retryable", async () => {
    const result = await channel.send(notification({ secret: "wrong-secret" }), signal);
    expect(result).toEqual({ ok: false, retryable: false, detail: "HTTP 401" });
    expect((await receiver.nextRequest()).signatureValid).toBe(false);
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [404, false],
    [410, false],
    [301, false],
  ])("HTTP %d → retryable %s", async (status, retryable) => {
    receiver.answerNext({ status });
    const result = await channel.send(notification(), signal);
    expect(result).toEqual({ ok: false, retryable, detail: `HTTP ${status}` });
    await receiver.nextRequest();
  });

  it("a slow receiver times out: retryable", async () => {
    receiver.answerNext({ status: 200, delayMs: 3000 });
    const started = Date.now();
    const result = await channel.send(notification({ timeoutMs: 300 }), signal);
    expect(result).toEqual({ ok: false, retryable: true, detail: "timeout after 300 ms" });
    expect(Date.now() - started).toBeLessThan(2000);
    await receiver.nextRequest();
  });

  it("a closed port is ECONNREFUSED: retryable", async () => {
    const port = await closedPort();
    const result = await channel.send(notification({ url: `http://127.0.0.1:${port}/hooks/wardwatch` }), signal);
    expect(result).toEqual({ ok: false, retryable: true, detail: "ECONNREFUSED" });
  });

  it.each([
    ["hangs up without answering", (socket: Socket) => socket.destroy(), /^ECONNRESET$/],
    ["answers something that is not HTTP", (socket: Socket) => socket.end("SMTP ready\r\n\r\n"), /^HPE_/],
  ])("a server that %s: retryable", async (_case, onRequest, detail) => {
    const server = createServer((socket) => socket.once("data", () => onRequest(socket))).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as { port: number };
    try {
      const result = await channel.send(notification({ url: `http://127.0.0.1:${port}/` }), signal);
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(result.detail).toMatch(detail);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("an aborted signal ends the request: retryable", async () => {
    receiver.answerNext({ status: 200, delayMs: 3000 });
    const controller = new AbortController();
    const pending = channel.send(notification(), controller.signal);
    await receiver.nextRequest();
    controller.abort();
    expect(await pending).toEqual({ ok: false, retryable: true, detail: "aborted" });
    expect(await channel.send(notification(), controller.signal)).toEqual({ ok: false, retryable: true, detail: "aborted" });
  });

  it("leaves no listener on a long-lived signal", async () => {
    const controller = new AbortController();
    receiver.answerNext({ status: 500 }, { status: 200, delayMs: 2000 });
    await channel.send(notification(), controller.signal);
    await channel.send(notification({ timeoutMs: 200 }), controller.signal);
    await channel.send(notification({ url: `http://127.0.0.1:${await closedPort()}/` }), controller.signal);
    await channel.send(notification(), controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("does not handle or send to a receiver without a webhook", async () => {
    const noWebhook = linkFaultNotification({ receiver: vendorReceiver({ webhook: null }) });
    expect(channel.handles(noWebhook.receiver)).toBe(false);
    expect(channel.handles(notification().receiver)).toBe(true);
    expect(await channel.send(noWebhook, signal)).toEqual({ ok: false, retryable: false, detail: "receiver has no webhook" });
  });
});
