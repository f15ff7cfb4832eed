/**
 * A real HTTP webhook receiver on 127.0.0.1 (random port) for channel tests: it records every request, verifies
 * its signature with the same check receivers are told to implement (collector/alerts/signature.ts), and answers
 * as scripted — a status, optionally after a delay — so tests can play a healthy, failing or slow receiver.
 * A request whose signature does not verify is answered 401 without consuming a scripted answer.
 */
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "../../collector/alerts/signature.js";

/** One request as the receiver got it. */
export interface ReceivedWebhook {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (UTF-8). */
  rawBody: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
  /** Whether X-Wardwatch-Signature verified against the secret, the timestamp header and the raw body. */
  signatureValid: boolean;
  /** The status the receiver answered (or is about to answer, for a delayed answer). */
  status: number;
}

/** How to answer one request: `status` after `delayMs` (default 0). */
export interface WebhookAnswer {
  status: number;
  delayMs?: number;
}

/** A running receiver. */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hooks/wardwatch`. */
  url: string;
  /** Every request so far, in arrival order. */
  requests: ReceivedWebhook[];
  /** Resolves with the next request not yet returned by nextRequest (waits for it if needed; rejects after 5 s). */
  nextRequest(): Promise<ReceivedWebhook>;
  /** Marks every request received so far as read: the next nextRequest waits for a new one. */
  skipReceived(): void;
  /** Queues answers for the next validly signed requests, in order; once they are used up, requests get 200. */
  answerNext(...answers: WebhookAnswer[]): void;
  /** Stops listening, drops open connections and pending delayed answers. */
  close(): Promise<void>;
}

/** Starts a receiver verifying signatures with `secret` against the real clock (tolerance 300 s). */
export async function startWebhookReceiver(options: { secret: string }): Promise<WebhookReceiver> {
  const requests: ReceivedWebhook[] = [];
  const answers: WebhookAnswer[] = [];
  const waiters: Array<(request: ReceivedWebhook) => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  let taken = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const timestamp = req.headers["x-wardwatch-timestamp"];
      const signature = req.headers["x-wardwatch-signature"];
      const signatureValid = verifyWebhook(
        options.secret,
        typeof signature === "string" ? signature : null,
        typeof timestamp === "string" ? timestamp : null,
        rawBody,
        Math.floor(Date.now() / 1000),
      );
      const answer: WebhookAnswer = signatureValid ? (answers.shift() ?? { status: 200 }) : { status: 401 };
      const received: ReceivedWebhook = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        rawBody,
        body: parseJson(rawBody),
        signatureValid,
        status: answer.status,
      };
      requests.push(received);
      waiters.shift()?.(received);
      const reply = (): void => {
        res.writeHead(answer.status, { "Content-Type": "text/plain" }).end(signatureValid ? "ok" : "bad signature");
      };
      if (!answer.delayMs) return reply();
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hooks/wardwatch`,
    requests,
    nextRequest() {
      const index = taken++;
      const ready = requests[index];
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        // Waiters are served in arrival order, so the n-th waiter gets the n-th request not yet taken.
        const waiter = (request: ReceivedWebhook): void => {
          clearTimeout(timer);
          resolve(request);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error("no webhook request within 5 s"));
        }, 5000);
        waiters.push(waiter);
      });
    },
    skipReceived() {
      taken = Math.max(taken, requests.length);
    },
    answerNext(...next) {
      answers.push(...next);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
