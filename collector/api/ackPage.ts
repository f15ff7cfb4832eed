import { createHash } from "node:crypto";
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from "express";
import type { AckLinkSigner } from "../alerts/ackLink.js";
import { formatDateTimeWithZone } from "../alerts/messages/formatting.js";
import { escapeHtml } from "../alerts/messages/html.js";
import { incidentHeadline, WORDING } from "../alerts/messages/wording.js";
import type { IncidentStore, StoredIncident } from "../incidents/incidentStore.js";
import { ackConflicts, isAcknowledged, ticketSchema, type AckInput } from "./incidentsRoute.js";

/** The language of a receiver's page: Vietnamese, or English where the receiver asked for it. */
export type PageLanguage = "vi" | "en";

/**
 * What the acknowledgement page needs. `receiverName`: the configured name and language of a receiver, null when
 * it is no longer configured (its links then stop working). `acknowledge`: as for the API (records and tells the
 * dispatcher); null when there is no such incident. `timeZone`: for times on the page, default Asia/Ho_Chi_Minh.
 */
export interface AckPageDeps {
  signer: AckLinkSigner;
  incidents: IncidentStore;
  receiverName(id: string): { name: string; language: PageLanguage } | null;
  acknowledge(id: number, input: AckInput): StoredIncident | null;
  timeZone?: string;
}

/** The only styles of the page, allowed by their hash: the policy forbids every other resource, script and style. */
const STYLE =
  "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}" +
  "main{max-width:40rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px}" +
  "h1{font-size:1.3rem;margin-top:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem}dt{font-weight:600}dd{margin:0}" +
  "label{display:block;font-weight:600;margin-top:1rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem;margin:.3rem 0 1rem}" +
  "button{font:inherit;padding:.5rem 1.2rem;background:#0b5cad;color:#fff;border:0;border-radius:4px}" +
  ".notice{padding:.6rem .8rem;border-radius:4px;background:#e8f3ea}.problem{padding:.6rem .8rem;border-radius:4px;background:#fbe9e7}";

/** Content-Security-Policy of every page: nothing loads, nothing runs, the form posts only to this origin. */
export const ACK_PAGE_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/** The page's own words (the rest are the messages' glossary wording). */
const PAGE_WORDS = {
  vi: {
    title: (number: string) => `Xác nhận tiếp nhận sự cố ${number}`,
    greeting: (name: string) => `Kính gửi: ${name}`,
    summary: "Nội dung",
    state: "Trạng thái",
    open: "Đang xảy ra",
    restored: "Đã khôi phục kết nối",
    mergedInto: (number: string) => `Đã gộp vào sự cố ${number}`,
    ticketOptional: "(không bắt buộc)",
    acknowledgedAlready: "Sự cố này đã được xác nhận tiếp nhận.",
    conflict: (by: string, at: string) => `Sự cố này đã được ${by} xác nhận tiếp nhận trước đó${at ? ` lúc ${at}` : ""}, với thông tin dưới đây; không ghi đè.`,
    badTicket: "Số phiếu của nhà mạng không hợp lệ: tối đa 64 ký tự, không chứa ký tự điều khiển.",
    recorded: (number: string, at: string) => `Đã ghi nhận xác nhận tiếp nhận sự cố ${number} lúc ${at}. Xin cảm ơn.`,
    notFound: "Không tìm thấy sự cố",
    notFoundText: "Sự cố trong liên kết này không còn trong hệ thống.",
  },
  en: {
    title: (number: string) => `Acknowledge incident ${number}`,
    greeting: (name: string) => `To: ${name}`,
    summary: "Summary",
    state: "State",
    open: "Ongoing",
    restored: "Restored",
    mergedInto: (number: string) => `Merged into incident ${number}`,
    ticketOptional: "(optional)",
    acknowledgedAlready: "This incident has been acknowledged.",
    conflict: (by: string, at: string) => `This incident was already acknowledged by ${by}${at ? ` at ${at}` : ""}, with the details below; nothing was overwritten.`,
    badTicket: "The vendor ticket number is not valid: at most 64 characters, no control characters.",
    recorded: (number: string, at: string) => `Your acknowledgement of incident ${number} was recorded at ${at}. Thank you.`,
    notFound: "Incident not found",
    notFoundText: "The incident in this link is no longer in the system.",
  },
} as const;

/** Pages shown before the receiver is known (the token is refused), so in both languages. */
const REFUSALS = {
  malformed: { status: 403, vi: ["Liên kết không hợp lệ", "Liên kết xác nhận không đúng hoặc đã bị sửa. Vui lòng mở lại liên kết trong thông báo sự cố."], en: ["Invalid link", "This acknowledgement link is not valid or has been altered. Please open the link in the incident notification again."] },
  bad_signature: { status: 403, vi: ["Liên kết không hợp lệ", "Liên kết xác nhận không đúng hoặc đã bị sửa. Vui lòng mở lại liên kết trong thông báo sự cố."], en: ["Invalid link", "This acknowledgement link is not valid or has been altered. Please open the link in the incident notification again."] },
  unknown_receiver: { status: 403, vi: ["Liên kết không còn hiệu lực", "Người nhận của liên kết này không còn trong cấu hình. Vui lòng liên hệ Sở Khoa học và Công nghệ."], en: ["Link no longer valid", "The receiver of this link is no longer configured. Please contact the Provincial ICT team."] },
  expired: { status: 410, vi: ["Liên kết đã hết hạn", "Liên kết xác nhận đã hết hạn. Vui lòng liên hệ Sở Khoa học và Công nghệ (quản trị tỉnh) để xác nhận tiếp nhận sự cố."], en: ["Link expired", "This acknowledgement link has expired. Please contact the Provincial ICT team to acknowledge the incident."] },
  too_large: { status: 413, vi: ["Dữ liệu quá lớn", "Nội dung gửi lên quá lớn."], en: ["Request too large", "The submitted form is too large."] },
  bad_form: { status: 400, vi: ["Dữ liệu không hợp lệ", "Không đọc được nội dung gửi lên."], en: ["Bad request", "The submitted form could not be read."] },
} as const;

type Refusal = keyof typeof REFUSALS;

/** Sends `html` with the headers every acknowledgement page carries: no caching, no framing, no referrer, the CSP. */
function sendPage(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("Content-Security-Policy", ACK_PAGE_CSP);
  // The token is in the URL: it must never travel in a Referer header.
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("X-Robots-Tag", "noindex, nofollow");
  res.send(html);
}

function layout(language: PageLanguage, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`
  );
}

function refusalPage(refusal: Refusal): string {
  const { vi, en } = REFUSALS[refusal];
  const body = `<h1>${escapeHtml(vi[0])}</h1><p>${escapeHtml(vi[1])}</p><hr><h2 lang="en">${escapeHtml(en[0])}</h2><p lang="en">${escapeHtml(en[1])}</p>`;
  return layout("vi", `${vi[0]} / ${en[0]}`, body);
}

function notFoundPage(language: PageLanguage): string {
  const page = PAGE_WORDS[language];
  return layout(language, page.notFound, `<h1>${escapeHtml(page.notFound)}</h1><p>${escapeHtml(page.notFoundText)}</p>`);
}

function row(label: string, value: string): string {
  return `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
}

/** What the incident page shows besides the incident: a notice, and whether (and with what ticket) to offer the form. */
interface PageView {
  notice?: { kind: "notice" | "problem"; text: string };
  ticketValue?: string;
  /** The reference ("SC-000123") of the incident this one was merged into, when it was. */
  mergedIntoNumber?: string;
}

/**
 * The acknowledgement page of `incident` for `receiver`: number, summary, sites, start time (UTC+7), state, the
 * acknowledgement when there is one, else the form posting back to this URL with the ticket field.
 */
export function renderIncidentPage(incident: StoredIncident, receiver: { name: string; language: PageLanguage }, timeZone: string, view: PageView = {}): string {
  const words = WORDING[receiver.language];
  const page = PAGE_WORDS[receiver.language];
  const state = incident.state === "open" ? page.open : view.mergedIntoNumber ? page.mergedInto(view.mergedIntoNumber) : page.restored;
  const rows = [
    row(words.incident, incident.number),
    row(page.summary, incidentHeadline(incident, receiver.language)),
    row(words.sites, incident.sites.map((s) => s.siteName).join(", ")),
    incident.providerName ? row(words.provider, incident.providerName) : "",
    incident.circuit ? row(words.circuit, incident.circuit) : "",
    row(words.startedAt, formatDateTimeWithZone(incident.timeline.startTs, timeZone)),
    row(page.state, state),
    incident.timeline.restoredTs !== null ? row(words.restoredAt, formatDateTimeWithZone(incident.timeline.restoredTs, timeZone)) : "",
  ];
  const acknowledged = isAcknowledged(incident);
  if (acknowledged) {
    const at = incident.timeline.acknowledgedTs === null ? null : formatDateTimeWithZone(incident.timeline.acknowledgedTs, timeZone);
    rows.push(row(words.acknowledged, words.acknowledgedValue(incident.acknowledgedBy, at)));
    rows.push(row(words.vendorTicket, incident.vendorTicket ?? words.notGiven));
  }
  const notice = view.notice ?? (acknowledged ? { kind: "notice" as const, text: page.acknowledgedAlready } : undefined);
  const form = acknowledged
    ? ""
    : `<form method="post"><label for="ticket">${escapeHtml(words.vendorTicket)} ${escapeHtml(page.ticketOptional)}</label>` +
      `<input id="ticket" name="ticket" maxlength="64" autocomplete="off" value="${escapeHtml(view.ticketValue ?? "")}">` +
      `<button type="submit">${escapeHtml(words.acknowledge)}</button></form>`;
  const body =
    `<h1>${escapeHtml(page.title(incident.number))}</h1><p>${escapeHtml(page.greeting(receiver.name))}</p>` +
    (notice ? `<p class="${notice.kind}">${escapeHtml(notice.text)}</p>` : "") +
    `<dl>${rows.join("")}</dl>${form}`;
  return layout(receiver.language, page.title(incident.number), body);
}

/** What a valid token leads to. */
interface Found {
  incident: StoredIncident;
  receiver: { name: string; language: PageLanguage };
}

/** The ticket the form sent: null when empty or absent, undefined when it is not a valid ticket. */
function formTicket(body: unknown): string | null | undefined {
  const raw = typeof body === "object" && body !== null ? (body as Record<string, unknown>).ticket : undefined;
  if (raw === undefined || (typeof raw === "string" && raw.trim() === "")) return null;
  const parsed = ticketSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * GET /ack/:token: the acknowledgement page (see {@link renderIncidentPage}); POST /ack/:token (urlencoded form,
 * field `ticket`, at most 4 KiB): records the acknowledgement by the receiver's name, then a confirmation page.
 * A repeat with the same ticket is confirmed again; after an acknowledgement by someone else (another ticket, or a
 * user of the dashboard) the page says who acknowledged and when (200) and nothing is overwritten.
 * Refused tokens: malformed or tampered 403, expired 410; unknown incident 404. Every answer is an escaped HTML page
 * with `Cache-Control: no-store` and {@link ACK_PAGE_CSP}. Mounted at the root, not under /api.
 */
export function ackRouter(deps: AckPageDeps): Router {
  const router = Router();
  const timeZone = deps.timeZone ?? "Asia/Ho_Chi_Minh";
  const parseForm = express.urlencoded({ extended: false, limit: "4kb", parameterLimit: 10 });

  /** The incident and receiver the token names, or null after sending the refusal page. */
  const open = (req: Request<{ token: string }>, res: Response): Found | null => {
    const check = deps.signer.verify(req.params.token);
    if (!check.ok) {
      sendPage(res, REFUSALS[check.reason].status, refusalPage(check.reason));
      return null;
    }
    const receiver = deps.receiverName(check.receiverId);
    if (!receiver) {
      sendPage(res, REFUSALS.unknown_receiver.status, refusalPage("unknown_receiver"));
      return null;
    }
    const incident = deps.incidents.getIncident(check.incidentId);
    if (!incident) {
      sendPage(res, 404, notFoundPage(receiver.language));
      return null;
    }
    return { incident, receiver };
  };

  /** Sends the incident page; a merged incident names the incident that took it over. */
  const sendIncidentPage = (res: Response, status: number, found: Found, view: PageView = {}): void => {
    const { incident, receiver } = found;
    const mergedIntoNumber = incident.mergedInto === null ? undefined : deps.incidents.getIncident(incident.mergedInto)?.number;
    sendPage(res, status, renderIncidentPage(incident, receiver, timeZone, { ...view, ...(mergedIntoNumber ? { mergedIntoNumber } : {}) }));
  };

  router.get("/ack/:token", (req, res) => {
    const found = open(req, res);
    if (found) sendIncidentPage(res, 200, found);
  });

  // The token is checked before the body is read: a refused link gets its 403/410 whatever it sent.
  const checkToken = (req: Request<{ token: string }>, res: Response, next: NextFunction): void => {
    const found = open(req, res);
    if (!found) return;
    res.locals.found = found;
    next();
  };

  router.post("/ack/:token", checkToken, parseForm, (req, res) => {
    const found = res.locals.found as Found;
    const { incident, receiver } = found;
    const page = PAGE_WORDS[receiver.language];
    const ticket = formTicket(req.body);
    if (ticket === undefined) {
      const typed = typeof req.body?.ticket === "string" ? req.body.ticket.replace(/\p{C}/gu, "").slice(0, 64) : "";
      return sendIncidentPage(res, 400, found, { notice: { kind: "problem", text: page.badTicket }, ticketValue: typed });
    }
    if (ackConflicts(incident, ticket) || (isAcknowledged(incident) && incident.acknowledgedBy !== receiver.name)) {
      // Answered 200: the link did its job (the incident is acknowledged); someone else (the province, a NOC
      // colleague) was first, and the page says who and when rather than refusing the vendor's genuine link.
      const at = incident.timeline.acknowledgedTs === null ? "" : formatDateTimeWithZone(incident.timeline.acknowledgedTs, timeZone);
      const by = incident.acknowledgedBy ?? (receiver.language === "vi" ? "người khác" : "someone else");
      return sendIncidentPage(res, 200, found, { notice: { kind: "notice", text: page.conflict(by, at) } });
    }
    // The same acknowledgement again (a reload of the confirmation page) changes nothing.
    const updated = isAcknowledged(incident) ? incident : deps.acknowledge(incident.id, { by: receiver.name, ticket });
    if (!updated) return sendPage(res, 404, notFoundPage(receiver.language));
    const at = updated.timeline.acknowledgedTs === null ? "" : formatDateTimeWithZone(updated.timeline.acknowledgedTs, timeZone);
    sendIncidentPage(res, 200, { incident: updated, receiver }, { notice: { kind: "notice", text: page.recorded(updated.number, at) } });
  });

  // Form bodies that cannot be read get a page too, not the API's JSON error.
  const formErrors: ErrorRequestHandler = (err, _req, res, next) => {
    const type = (err as { type?: string })?.type;
    if (type === "entity.too.large") return sendPage(res, 413, refusalPage("too_large"));
    const status = (err as { status?: number })?.status;
    if (typeof status === "number" && status >= 400 && status < 500) return sendPage(res, 400, refusalPage("bad_form"));
    next(err);
  };
  router.use("/ack", formErrors);
  return router;
}
