import type { DeliveryAttempt, Incident } from "../../protocol/incident.js";

/** Which message a notification carries. */
export type NotificationMessage = DeliveryAttempt["message"];

/** Who receives notifications, and how: a vendor's NOC, a ward IT contact, the provincial ICT team. */
export interface ReceiverConfig {
  id: string;
  name: string;
  /** Language of the messages: Vietnamese by default, English where the receiver asks for it. */
  language: "vi" | "en";
  webhook: { url: string; secret: string; timeoutMs: number } | null;
  email: { to: string[] } | null;
}

/** Where and how the collector sends e-mail (nodemailer SMTP transport). */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  from: string;
  auth: { user: string; pass: string } | null;
  timeoutMs: number;
}

/** What a report says about one site of an incident, from configuration. */
export interface SiteDetail {
  site: string;
  name: string;
  address: string | null;
  location: { lat: number; lon: number } | null;
  contacts: string[];
  /** The incident's links at this site with their circuit IDs (the Mã kênh a vendor's NOC looks up), in order. */
  circuits: Array<{ link: string; circuit: string | null }>;
}

/**
 * One message about one incident to one receiver. `idempotencyKey` is the same for every retry of this message
 * (receivers use it to drop duplicates). `ackUrl`: a signed link the receiver can open to acknowledge (and give its
 * ticket number) without logging in; null for recovery notices. `site` details come from configuration.
 */
export interface Notification {
  idempotencyKey: string;
  message: NotificationMessage;
  incident: Incident;
  receiver: ReceiverConfig;
  ackUrl: string | null;
  /** Details of the incident's sites the report needs (address, coordinates, local contact, circuits). */
  siteDetails: SiteDetail[];
  /** Province time zone for times in the message (Asia/Ho_Chi_Minh). */
  timeZone: string;
  /** When the message is composed, UTC ms (for "duration so far"). */
  nowMs: number;
}

/** What a channel says about one delivery attempt. Channels only classify; retrying lives in one stage. */
export type DeliveryResult = { ok: true; detail: string } | { ok: false; retryable: boolean; detail: string };

/** A way to deliver notifications (webhook, e-mail). Never throws for a delivery failure: it returns one. */
export interface Channel {
  readonly name: "webhook" | "email";
  /** Whether this receiver can be reached by this channel. */
  handles(receiver: ReceiverConfig): boolean;
  send(notification: Notification, signal: AbortSignal): Promise<DeliveryResult>;
}
