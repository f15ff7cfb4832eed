/**
 * A real in-process SMTP server (smtp-server) on 127.0.0.1, random port, for e-mail channel tests: no TLS
 * (STARTTLS disabled), authentication optional. It captures every accepted message, decoded enough to assert on
 * (tests/helpers/mime.ts), and can be told to reject the next message or a given recipient with a reply code.
 */
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { decodeHeaderWords, findPart, parseMime } from "./mime.js";

/** One accepted message. */
export interface CapturedMail {
  /** Envelope sender and recipients (MAIL FROM, RCPT TO). */
  from: string;
  to: string[];
  /** The Subject header, encoded words decoded. */
  subject: string;
  /** The decoded text/plain and text/html parts ("" when absent). */
  text: string;
  html: string;
  /** Top-level headers: lower-case names, unfolded raw values. */
  headers: Record<string, string>;
  /** The DATA exactly as received. */
  raw: string;
}

/** At which SMTP command a scripted rejection answers. */
export type SmtpStage = "mail" | "rcpt" | "data";

/** A running server. */
export interface TestSmtpServer {
  port: number;
  /** Every accepted message, in order. */
  messages: CapturedMail[];
  /** Resolves with the next accepted message not yet returned by nextMessage (rejects after 5 s). */
  nextMessage(): Promise<CapturedMail>;
  /**
   * Rejects the next transaction with `code` (e.g. 550, 451) and `message`, at `stage` (default "data": after the
   * whole message was sent, as a content filter does). At "rcpt" every recipient of that transaction is refused.
   */
  rejectNext(code: number, options?: { stage?: SmtpStage; message?: string }): void;
  /** Refuses this recipient address (RCPT TO) with `code` in every transaction until closed. */
  rejectRecipient(address: string, code: number, message?: string): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 at a random port. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: CapturedMail[] = [];
  const waiters: Array<(mail: CapturedMail) => void> = [];
  const rejectedRecipients = new Map<string, Error>();
  let pendingRejection: { stage: SmtpStage; error: Error; used: boolean } | null = null;
  let taken = 0;

  // A rejection at "rcpt" refuses every recipient of one transaction: it is dropped when the next one starts.
  const rejectionAt = (stage: SmtpStage): Error | null => {
    if (pendingRejection?.stage !== stage) return null;
    const { error } = pendingRejection;
    if (stage === "rcpt") pendingRejection.used = true;
    else pendingRejection = null;
    return error;
  };
  const endTransaction = (): void => {
    if (pendingRejection?.used) pendingRejection = null;
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onMailFrom(_address, _session, callback) {
      endTransaction();
      callback(rejectionAt("mail"));
    },
    onRcptTo(address, _session, callback) {
      callback(rejectedRecipients.get(address.address.toLowerCase()) ?? rejectionAt("rcpt"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        endTransaction();
        const rejection = rejectionAt("data");
        if (rejection) return callback(rejection);
        const raw = Buffer.concat(chunks).toString("utf8");
        const entity = parseMime(raw);
        const mail: CapturedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          subject: decodeHeaderWords(entity.headers["subject"] ?? ""),
          text: findPart(entity, "text/plain")?.body ?? "",
          html: findPart(entity, "text/html")?.body ?? "",
          headers: entity.headers,
          raw,
        };
        messages.push(mail);
        waiters.shift()?.(mail);
        callback(null);
      });
    },
  });
  server.listen(0, "127.0.0.1");
  await once(server.server, "listening");
  const { port } = server.server.address() as AddressInfo;

  return {
    port,
    messages,
    nextMessage() {
      const ready = messages[taken++];
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const waiter = (mail: CapturedMail): void => {
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error("no message within 5 s"));
        }, 5000);
        waiters.push(waiter);
      });
    },
    rejectNext(code, options = {}) {
      pendingRejection = { stage: options.stage ?? "data", error: smtpError(code, options.message ?? `rejected by test (${code})`), used: false };
    },
    rejectRecipient(address, code, message) {
      rejectedRecipients.set(address.toLowerCase(), smtpError(code, message ?? `no such user (${code})`));
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}
