import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../../helpers/collectorHarness.js";
import { batchOf, icmpSample, postIngest } from "../../helpers/batches.js";

/** An upload that sends its headers and the first byte of a 1000-byte body, then nothing more. */
interface SlowUpload {
  /** The collector's answer (status line and JSON body), whenever it comes. */
  answer: Promise<{ status: number; body: { error?: string; message?: string } }>;
  /** Resolves when the collector closed the connection. */
  closed: Promise<void>;
  socket: Socket;
}

function slowUpload(port: number, token: string, extraHeaders = ""): SlowUpload {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => {}); // a reset after the answer is expected
  let received = "";
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const answer = new Promise<{ status: number; body: { error?: string; message?: string } }>((resolve, reject) => {
    const tryParse = (): boolean => {
      const headerEnd = received.indexOf("\r\n\r\n");
      if (headerEnd < 0) return false;
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, headerEnd))?.[1] ?? NaN);
      const body = received.slice(headerEnd + 4);
      if (Buffer.byteLength(body) < length) return false;
      resolve({ status: Number(received.slice(9, 12)), body: JSON.parse(body) as { error?: string } });
      return true;
    };
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      tryParse();
    });
    socket.once("close", () => {
      if (!tryParse()) reject(new Error(`connection closed without a full answer: ${JSON.stringify(received)}`));
    });
  });
  socket.write(
    `POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${extraHeaders}Content-Length: 1000\r\n\r\n{`,
  );
  return { answer, closed, socket };
}

describe("collector/api/ingestRoute limits what one site's uploads can hold", () => {
  let t: TestCollector;
  let slowToken: string;
  let otherToken: string;

  beforeAll(async () => {
    t = await startTestCollector(["tan-phong", "bien-hoa"], "ingest: { max_in_flight: 4, max_in_flight_per_site: 2, body_timeout: 1s }");
    slowToken = t.tokenFor("tan-phong");
    otherToken = t.tokenFor("bien-hoa");
  });
  afterAll(() => t.close());

  it("gives one site at most its share of slots (429 beyond it), another site still pushes, and a slow body is cut off with 408", async () => {
    const uploads = Array.from({ length: 6 }, () => slowUpload(t.collector.port, slowToken));
    // Four are refused at once: the site already has its two batches in flight.
    const busy: Array<{ status: number; body: { error?: string; message?: string } }> = [];
    await new Promise<void>((resolve) => {
      for (const upload of uploads) {
        void upload.answer.then((answer) => {
          if (answer.status === 429) busy.push(answer);
          if (busy.length === 4) resolve();
        });
      }
    });
    expect(busy[0]!.body).toEqual({ error: "busy", message: "site 'tan-phong' already has 2 batches in flight; send one at a time" });

    // While the two slow uploads hold their slots, another site's push is taken.
    const other = await postIngest(t.collector.url, batchOf("bien-hoa", [icmpSample(1, { ts: Date.now() - 1000 })]), { Authorization: `Bearer ${otherToken}` });
    expect(other.status).toBe(200);

    // The two still waiting are cut off when their body time runs out, and their connections closed.
    const held = (await Promise.all(uploads.map(async (upload) => ({ upload, answer: await upload.answer })))).filter(({ answer }) => answer.status !== 429);
    expect(held.map(({ answer }) => answer)).toEqual([
      { status: 408, body: { error: "body_timeout", message: "the request body did not arrive within 1000 ms" } },
      { status: 408, body: { error: "body_timeout", message: "the request body did not arrive within 1000 ms" } },
    ]);
    await Promise.all(held.map(({ upload }) => upload.closed));

    // Their slots are free again.
    const again = await postIngest(t.collector.url, batchOf("tan-phong", [icmpSample(1, { ts: Date.now() - 1000 })]), { Authorization: `Bearer ${slowToken}` });
    expect(again.status).toBe(200);
    for (const upload of uploads) upload.socket.destroy();
    const metrics = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^wardwatch_ingest_rejects_total\{reason="busy"\} 4$/m);
    expect(metrics).toMatch(/^wardwatch_ingest_rejects_total\{reason="body_timeout"\} 2$/m);
  });

  it("closes the connection of a body refused as too large while its client is still sending, and counts it", async () => {
    const socket = connect(t.collector.port, "127.0.0.1");
    socket.on("error", () => {});
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("utf8")));
    socket.write(`POST /api/v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${t.tokenFor("bien-hoa")}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    // Past the 4 MB body limit (the default), then a client that would go on sending: answered and cut off, not read on.
    const chunk = "x".repeat(4 * 1024 * 1024 + 1);
    socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    const dripping = setInterval(() => socket.writable && socket.write("1\r\nx\r\n"), 50);
    await closed;
    clearInterval(dripping);
    expect(received).toMatch(/^HTTP\/1\.1 413/);
    expect(received).toContain('"error":"body_too_large"');
    const metrics = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(metrics).toMatch(/^wardwatch_ingest_rejects_total\{reason="body_too_large"\} 1$/m);
  });
});

describe("collector/api/ingestRoute keeps slots open for live pushes while sites send their backlog", () => {
  let t: TestCollector;
  const sites = ["tan-phong", "bien-hoa", "long-binh"];

  beforeAll(async () => {
    // One backlog batch at a time: the governor's starting allowance, whatever the load (backfillGovernor.ts).
    t = await startTestCollector(sites, "ingest: { max_in_flight: 4, max_in_flight_per_site: 2, max_backfill_in_flight: 1, body_timeout: 2s }");
  });
  afterAll(() => t.close());

  const push = async (site: string, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | null; body: { error?: string; message?: string; accepted?: number } }> => {
    const response = await fetch(`${t.collector.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${t.tokenFor(site)}`, ...headers },
      body: JSON.stringify(batchOf(site, [icmpSample(1, { ts: Date.now() - 1000 })])),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as never };
  };

  it("with every backlog slot taken, refuses more backlog with 429 + Retry-After and still takes a live push, with or without the header", async () => {
    // A slow upload that says it carries backlog holds the whole backfill share.
    const held = [slowUpload(t.collector.port, t.tokenFor("tan-phong"), "Wardwatch-Backlog: 120000\r\n")];
    await expect.poll(async () => (await (await fetch(`${t.collector.url}/metrics`)).text()).match(/^wardwatch_ingest_in_flight (\d+)$/m)?.[1]).toBe("1");
    const during = await (await fetch(`${t.collector.url}/metrics`)).text();
    expect(during).toMatch(/^wardwatch_ingest_backfill_in_flight 1$/m);
    expect(during).toMatch(/^wardwatch_ingest_backfill_allowed 1$/m);

    const backlog = await push("bien-hoa", { "Wardwatch-Backlog": "4500" });
    expect(backlog.status).toBe(429);
    expect(backlog.retryAfter).toBe("1");
    expect(backlog.body).toEqual({ error: "busy", message: "the collector is handling 1 backlog batches, its most (1 backfilling sites waiting); live pushes go first, retry in 1 s" });

    const live = await push("bien-hoa", { "Wardwatch-Backlog": "0" });
    expect(live).toMatchObject({ status: 200, body: { accepted: 1 } });
    // An agent from before the header: live.
    const oldAgent = await push("long-binh", {});
    expect(oldAgent).toMatchObject({ status: 200, body: { accepted: 1 } });

    const bad = await push("long-binh", { "Wardwatch-Backlog": "lots" });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: "bad_header", message: "Wardwatch-Backlog must be a whole number of records (digits only), got 'lots'" });

    // Once the backlog uploads are gone (cut off for time), backlog is taken again.
    await Promise.all(held.map((upload) => upload.answer));
    await Promise.all(held.map((upload) => upload.closed));
    const later = await push("bien-hoa", { "Wardwatch-Backlog": "4500" });
    expect(later.status).toBe(200);
    for (const upload of held) upload.socket.destroy();
  });
});
