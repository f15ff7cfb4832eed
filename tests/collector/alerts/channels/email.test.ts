import { getEventListeners } from "node:events";
import { createServer, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EmailChannel, messageIdFor } from "../../../../collector/alerts/channels/email.js";
import type { Notification, SmtpConfig } from "../../../../collector/alerts/notification.js";
import { linkFaultNotification, linkIncident, vendorReceiver } from "../../../helpers/notifications.js";
import { startSmtpServer, type TestSmtpServer } from "../../../helpers/smtpServer.js";

const FROM = "wardwatch <wardwatch@sokhcn.dongnai.example>";

function smtpConfig(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return { host: "127.0.0.1", port, secure: false, from: FROM, auth: null, timeoutMs: 2000, ...overrides };
}

function toNoc(overrides: Partial<Notification> = {}): Notification {
  return linkFaultNotification({ receiver: vendorReceiver({ webhook: null, email: { to: ["noc@vnpt.example"] } }), ...overrides });
}

/** A port on 127.0.0.1 nobody listens on (it was free a moment ago). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("collector/alerts/channels/email", () => {
  let smtp: TestSmtpServer;
  let channel: EmailChannel;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    channel = new EmailChannel(smtpConfig(smtp.port));
  });
  afterAll(async () => {
    channel.close();
    await smtp.close();
  });

  it("delivers the fault report in Vietnamese: subject, body fields, HTML", async () => {
    const result = await channel.send(toNoc(), signal);
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(/^250 /);

    const mail = await smtp.nextMessage();
    expect(mail.from).toBe("wardwatch@sokhcn.dongnai.example");
    expect(mail.to).toEqual(["noc@vnpt.example"]);
    expect(mail.subject).toBe("[wardwatch] Phiếu báo hỏng SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    for (const expected of [
      "Nhà mạng: VNPT",
      "Loại đường truyền: Đường truyền số liệu chuyên dùng (TSLCD)",
      "Mã kênh: DNI-TSL-000123",
      "Địa chỉ: Số 1 đường Nguyễn Ái Quốc, Phường Tân Phong, Tỉnh Đồng Nai",
      "Tọa độ: 10.95637, 106.82431",
      "Cán bộ phụ trách CNTT xã/phường: Nguyễn Văn An – 0912 345 678",
      "Bắt đầu lúc: 15/03/2025 08:10 (UTC+7)",
      "1 giờ 25 phút",
      "Tỷ lệ mất gói 100 %",
      "Đường truyền Internet (Viettel) vẫn chuyển báo cáo của trạm",
      "Số phiếu của nhà mạng",
      "https://wardwatch.dongnai.example/ack/SC-000123?token=abc.def",
    ]) {
      expect(mail.text).toContain(expected);
    }
    expect(mail.html).toContain('<a href="https://wardwatch.dongnai.example/ack/SC-000123?token=abc.def"');
    expect(mail.html).toContain("<td>DNI-TSL-000123</td>");
  });

  it("sets Message-ID from the idempotency key, X-Wardwatch-Incident and the thread headers", async () => {
    await channel.send(toNoc(), signal);
    const report = await smtp.nextMessage();
    expect(report.headers["message-id"]).toBe("<wardwatch.123=3Avnpt-noc=3Areport@sokhcn.dongnai.example>");
    expect(report.headers["x-wardwatch-incident"]).toBe("SC-000123");
    expect(report.headers["auto-submitted"]).toBe("auto-generated");
    expect(report.headers["in-reply-to"]).toBeUndefined();
    const thread = report.headers["references"];
    expect(thread).toBe("<wardwatch.incident.123.vnpt-noc@sokhcn.dongnai.example>");

    // A resend of the same message carries the same Message-ID.
    await channel.send(toNoc(), signal);
    expect((await smtp.nextMessage()).headers["message-id"]).toBe(report.headers["message-id"]);

    const restored = linkIncident({ state: "closed", timeline: { ...linkIncident().timeline, restoredTs: linkIncident().timeline.startTs + 85 * 60_000 } });
    await channel.send(toNoc({ message: "recovery", idempotencyKey: "123:vnpt-noc:recovery", ackUrl: null, incident: restored }), signal);
    const recovery = await smtp.nextMessage();
    expect(recovery.subject).toBe("[wardwatch] Đã khôi phục kết nối SC-000123: Mất kết nối TSLCD tại Phường Tân Phong (VNPT, DNI-TSL-000123)");
    expect(recovery.text).toContain("Thời gian sự cố: 1 giờ 25 phút");
    expect(recovery.headers["message-id"]).toBe("<wardwatch.123=3Avnpt-noc=3Arecovery@sokhcn.dongnai.example>");
    expect(recovery.headers["in-reply-to"]).toBe(thread);
    expect(recovery.headers["references"]).toBe(thread);
  });

  it("sends the English version to an English receiver", async () => {
    await channel.send(toNoc({ receiver: vendorReceiver({ language: "en", webhook: null, email: { to: ["noc@fpt.example"] } }) }), signal);
    const mail = await smtp.nextMessage();
    expect(mail.subject).toBe("[wardwatch] Fault report SC-000123: TSLCD link down at Phường Tân Phong (VNPT, DNI-TSL-000123)");
    expect(mail.text).toContain("Circuit ID: DNI-TSL-000123");
  });

  it.each([
    [550, "data", false],
    [554, "data", false],
    [451, "data", true],
    [452, "rcpt", true],
    [550, "rcpt", false],
    [421, "mail", true],
    [553, "mail", false],
  ] as const)("a %d at %s → retryable %s, detail the server's line", async (code, stage, retryable) => {
    smtp.rejectNext(code, { stage, message: `test says no (${code})` });
    const result = await channel.send(toNoc(), signal);
    expect(result).toMatchObject({ ok: false, retryable });
    expect(result.detail).toContain(`${code}`);
    expect(result.detail).toContain(`test says no (${code})`);
    // The next message goes through again.
    expect((await channel.send(toNoc(), signal)).ok).toBe(true);
    await smtp.nextMessage();
  });

  it("a message accepted for some recipients is ok, the refused ones named in the detail", async () => {
    smtp.rejectRecipient("gone@vnpt.example", 550, "no such mailbox");
    const result = await channel.send(toNoc({ receiver: vendorReceiver({ webhook: null, email: { to: ["noc@vnpt.example", "gone@vnpt.example"] } }) }), signal);
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(/^250 .*; rejected: gone@vnpt\.example \(550 no such mailbox\)$/);
    expect((await smtp.nextMessage()).to).toEqual(["noc@vnpt.example"]);
  });

  it("a server that is down: ECONNREFUSED, retryable", async () => {
    const down = new EmailChannel(smtpConfig(await closedPort()));
    expect(await down.send(toNoc(), signal)).toEqual({ ok: false, retryable: true, detail: "ECONNREFUSED" });
    down.close();
  });

  it("a server that never greets: timeout, retryable", async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket)).listen(0, "127.0.0.1");
    await new Promise((resolve) => silent.once("listening", resolve));
    const slow = new EmailChannel(smtpConfig((silent.address() as { port: number }).port, { timeoutMs: 300 }));
    try {
      const started = Date.now();
      const result = await slow.send(toNoc(), signal);
      expect(result).toMatchObject({ ok: false, retryable: true });
      expect(result.detail).toMatch(/^ETIMEDOUT/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      slow.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("an aborted signal cancels the send: retryable, and leaves no listener behind", async () => {
    const controller = new AbortController();
    expect((await channel.send(toNoc(), controller.signal)).ok).toBe(true);
    await smtp.nextMessage();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    controller.abort();
    expect(await channel.send(toNoc(), controller.signal)).toEqual({ ok: false, retryable: true, detail: "aborted" });
  });

  it("does not handle or send to a receiver without addresses", async () => {
    const noEmail = linkFaultNotification({ receiver: vendorReceiver({ email: null }) });
    expect(channel.handles(noEmail.receiver)).toBe(false);
    expect(channel.handles(toNoc().receiver)).toBe(true);
    expect(await channel.send(noEmail, signal)).toEqual({ ok: false, retryable: false, detail: "receiver has no e-mail address" });
  });

  it("derives valid, stable message ids from any key", () => {
    expect(messageIdFor("a b/é", "x.example")).toBe("<wardwatch.a=20b=2F=C3=A9@x.example>");
    expect(messageIdFor("k".repeat(300), "x.example")).toMatch(/^<wardwatch\.sha256=[0-9a-f]{64}@x\.example>$/);
  });
});
