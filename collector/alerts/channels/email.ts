import { createHash } from "node:crypto";
import nodemailer, { type NodemailerError, type SMTPSentMessageInfo, type Transporter } from "nodemailer";
import type { Incident } from "../../../protocol/incident.js";
import { renderNotification } from "../messages/renderNotification.js";
import type { Channel, DeliveryResult, Notification, ReceiverConfig, SmtpConfig } from "../notification.js";

/**
 * Delivers notifications as e-mail (plain text + HTML, rendered by messages/) through one SMTP server, one
 * connection per message (no pool: notifications are rare). Config (validated in config/alertingSchema.ts):
 *
 *   smtp:
 *     host: mail.sokhcn.dongnai.example
 *     port: 587                      # STARTTLS is used when the server offers it
 *     from: "wardwatch <wardwatch@sokhcn.dongnai.example>"
 *     user: wardwatch
 *     password: { env: WARDWATCH_SMTP_PASSWORD }
 *     timeout: 10s                   # connect, greeting and each wait for the server
 *   receivers:
 *     - { id: vnpt-noc, name: VNPT – Trung tâm điều hành mạng, email: { to: [noc@vnpt.example] } }
 *
 * Headers: `Message-ID` derived from the idempotency key (a resend of the same message has the same id, so
 * mail systems and people recognise it); `X-Wardwatch-Incident: <incident number>`; `References` (and, except on
 * the first report, `In-Reply-To`) pointing at one id per incident and receiver, so a mail client shows the
 * report, reminders and the recovery notice as one thread; `Auto-Submitted: auto-generated` (RFC 3834, no
 * auto-replies).
 *
 * Classification (retrying is the pipeline's job): accepted (even if only by some recipients) → ok with the
 * server's response line; SMTP 4xx, connection errors and timeouts → retryable; 5xx permanent rejections and
 * configuration errors (bad credentials, no valid recipients) → not retryable. Never throws for a delivery failure.
 */
export class EmailChannel implements Channel {
  readonly name = "email" as const;
  readonly #transport: Transporter<SMTPSentMessageInfo>;
  readonly #from: string;
  readonly #idDomain: string;

  /** Creates the SMTP transport (it connects only when sending). */
  constructor(smtp: SmtpConfig) {
    this.#from = smtp.from;
    this.#idDomain = mailDomain(smtp.from);
    this.#transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
      dnsTimeout: smtp.timeoutMs,
      // Messages are built from our own strings only: never let a message body reach files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /** True when the receiver has at least one e-mail address. */
  handles(receiver: ReceiverConfig): boolean {
    return receiver.email !== null && receiver.email.to.length > 0;
  }

  /**
   * Renders and sends the notification once to every `receiver.email.to` address and classifies the outcome.
   * `signal` aborting cancels the send (retryable, detail "aborted"; the server may already have accepted it, the
   * unchanged Message-ID then marks the resend as the same message).
   */
  async send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const to = notification.receiver.email?.to ?? [];
    if (to.length === 0) return { ok: false, retryable: false, detail: "receiver has no e-mail address" };
    const message = renderNotification(notification);
    const thread = threadId(notification.incident, notification.receiver.id, this.#idDomain);
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: messageIdFor(notification.idempotencyKey, this.#idDomain),
        references: [thread],
        ...(notification.message === "report" ? {} : { inReplyTo: thread }),
        headers: { "X-Wardwatch-Incident": notification.incident.number, "Auto-Submitted": "auto-generated" },
        signal,
      });
      return { ok: true, detail: acceptedDetail(info) };
    } catch (err) {
      return classifySmtpError(err as NodemailerError);
    }
  }

  /**
   * Sends a message that is not about an incident (the monthly SLA report, collector/sla/slaMailer.ts) through the same
   * server, with the same classification of failures. `messageId` should be derived from what the message is, so a
   * resend is recognised as the same message.
   */
  async sendMail(mail: OtherMail): Promise<DeliveryResult> {
    if (mail.to.length === 0) return { ok: false, retryable: false, detail: "no e-mail address" };
    try {
      const info = await this.#transport.sendMail({
        from: this.#from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: messageIdFor(mail.messageKey, this.#idDomain),
        attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
        headers: { "Auto-Submitted": "auto-generated" },
      });
      return { ok: true, detail: acceptedDetail(info) };
    } catch (err) {
      return classifySmtpError(err as NodemailerError);
    }
  }

  /** Closes the transport (nothing is kept open between sends; this releases its resources). */
  close(): void {
    this.#transport.close();
  }
}

/** A message that is not about an incident: addresses, subject, bodies, attachments, and the key its Message-ID comes from. */
export interface OtherMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; content: string; contentType: string }>;
  messageKey: string;
}

/**
 * How a failed send is classified. A reply from the server decides by its class: 4xx (and 503, a session state
 * error) retryable, other 5xx not, detail the server's response line. Without a reply: aborted, connection errors
 * and timeouts are retryable (detail the error code, e.g. "ECONNREFUSED", "ETIMEDOUT"); configuration errors
 * (missing credentials, no recipients, a message that cannot be built) are not.
 */
export function classifySmtpError(err: NodemailerError): DeliveryResult {
  if (err.name === "AbortError" || err.code === "EABORT") return { ok: false, retryable: true, detail: "aborted" };
  if (typeof err.responseCode === "number" && err.responseCode > 0) {
    const detail = oneLine(err.response ?? `${err.responseCode}`);
    const permanent = err.permanent ?? (err.responseCode >= 500 && err.responseCode !== 503);
    return { ok: false, retryable: !permanent, detail };
  }
  const code = err.originalCode ?? err.code ?? "";
  if (NOT_RETRYABLE_CODES.has(code)) return { ok: false, retryable: false, detail: `${code}: ${oneLine(err.message)}` };
  if (code === "ETIMEDOUT") return { ok: false, retryable: true, detail: err.timeoutType ? `ETIMEDOUT (${err.timeoutType})` : "ETIMEDOUT" };
  return { ok: false, retryable: true, detail: code || oneLine(err.message) };
}

/** Failures without a server reply that a retry cannot fix: the configuration or the message is wrong. */
const NOT_RETRYABLE_CODES: ReadonlySet<string> = new Set(["EAUTH", "ENOAUTH", "EENVELOPE", "EMESSAGE", "ECONFIG", "EMAXRECIPIENTS", "EFILEACCESS", "EURLACCESS"]);

/**
 * The Message-ID for a notification: `<wardwatch.<key>@<domain>>`, the idempotency key with every character
 * outside [A-Za-z0-9_-] written as =XX (UTF-8 bytes), so the same key always gives the same id and the id stays a
 * valid RFC 5322 msg-id. Very long keys are replaced by their SHA-256.
 */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  const encoded = [...Buffer.from(idempotencyKey, "utf8")]
    .map((byte) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `=${byte.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
  const token = encoded.length <= 200 ? encoded : `sha256=${createHash("sha256").update(idempotencyKey).digest("hex")}`;
  return `<wardwatch.${token}@${domain}>`;
}

/** The id every message about `incident` to one receiver refers to, so they form one thread. */
export function threadId(incident: Incident, receiverId: string, domain: string): string {
  return `<wardwatch.incident.${incident.id}.${receiverId.replace(/[^A-Za-z0-9_-]/g, "_")}@${domain}>`;
}

/** The domain of the sender address ("wardwatch <ww@tinh.example>" → "tinh.example"), for message ids. */
function mailDomain(from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1];
  return domain ?? "wardwatch.invalid";
}

function acceptedDetail(info: SMTPSentMessageInfo): string {
  const response = oneLine(info.response);
  if (info.rejected.length === 0) return response;
  const reasons = info.rejected.map((address, i) => `${address} (${oneLine(info.rejectedErrors?.[i]?.response ?? "rejected")})`);
  return `${response}; rejected: ${reasons.join(", ")}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim().slice(0, 500);
}
