/**
 * The vendor's side of the detection bench: an HTTP server on 127.0.0.1 (random port) that verifies each request's
 * signature with the check receivers are told to implement (collector/alerts/signature.ts), answers 200 (401 when
 * the signature does not verify), and notes when each request arrived.
 */
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { WebhookBody } from "../collector/alerts/channels/webhook.js";
import { verifyWebhook } from "../collector/alerts/signature.js";

/** One validly signed request; `receivedAtMs` when its body had arrived (UTC ms). */
export interface ArrivedWebhook {
  receivedAtMs: number;
  body: WebhookBody;
}

/** A running sink. */
export interface WebhookSink {
  url: string;
  arrived: readonly ArrivedWebhook[];
  /** Requests whose signature did not verify (answered 401). */
  readonly rejected: number;
  /** The first arrival at index ≥ `from` matching `predicate` (waiting for it); rejects after `timeoutMs`. */
  waitFor(predicate: (webhook: ArrivedWebhook) => boolean, timeoutMs: number, from?: number): Promise<ArrivedWebhook>;
  close(): Promise<void>;
}

/** Starts a sink verifying signatures with `secret`. */
export async function startWebhookSink(secret: string): Promise<WebhookSink> {
  const arrived: ArrivedWebhook[] = [];
  let rejected = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const receivedAtMs = Date.now();
      const raw = Buffer.concat(chunks).toString("utf8");
      const header = (name: string): string | null => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : null);
      const valid = verifyWebhook(secret, header("x-wardwatch-signature"), header("x-wardwatch-timestamp"), raw, Math.floor(receivedAtMs / 1000));
      if (!valid) {
        rejected++;
        res.writeHead(401).end("bad signature");
        return;
      }
      arrived.push({ receivedAtMs, body: JSON.parse(raw) as WebhookBody });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/wardwatch`,
    arrived,
    get rejected() {
      return rejected;
    },
    async waitFor(predicate, timeoutMs, from = 0) {
      const giveUpAt = Date.now() + timeoutMs;
      for (let i = from; ; ) {
        for (; i < arrived.length; i++) if (predicate(arrived[i]!)) return arrived[i]!;
        if (Date.now() > giveUpAt) throw new Error(`no matching webhook within ${timeoutMs} ms (${arrived.length} arrived, ${rejected} rejected)`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
