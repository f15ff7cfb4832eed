import type { LinkKind } from "../../protocol/api.js";
import type { LinkStateName } from "../../protocol/linkState.js";

/** The languages the local status page speaks. */
export type StatusLang = "vi" | "en";

/** The time zone users read times in (UTC+7, no daylight saving). */
export const SITE_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** The glossary's words for the four states, per language. */
export const STATE_WORDS: Readonly<Record<StatusLang, Readonly<Record<LinkStateName, string>>>> = Object.freeze({
  vi: Object.freeze({ up: "Bình thường", degraded: "Suy giảm", down: "Mất kết nối", unknown: "Chưa rõ" }),
  en: Object.freeze({ up: "Up", degraded: "Degraded", down: "Down", unknown: "Unknown" }),
});

interface CalendarParts {
  day: string;
  month: string;
  year: string;
  hour: string;
  minute: string;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts of `ts` (UTC ms) in `timeZone`, zero-padded, 24-hour. */
function calendarParts(ts: number, timeZone: string): CalendarParts {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    partFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(ts)) parts[part.type] = part.value;
  return { day: parts.day ?? "", month: parts.month ?? "", year: parts.year ?? "", hour: parts.hour ?? "", minute: parts.minute ?? "" };
}

/** `dd/mm/yyyy` of `ts` (UTC ms) in `timeZone`. */
export function formatDate(ts: number, timeZone = SITE_TIME_ZONE): string {
  const p = calendarParts(ts, timeZone);
  return `${p.day}/${p.month}/${p.year}`;
}

/** `HH:mm` of `ts` (UTC ms) in `timeZone`. */
export function formatClock(ts: number, timeZone = SITE_TIME_ZONE): string {
  const p = calendarParts(ts, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** `dd/mm/yyyy HH:mm` of `ts` (UTC ms) in `timeZone`. */
export function formatDateTime(ts: number, timeZone = SITE_TIME_ZONE): string {
  return `${formatDate(ts, timeZone)} ${formatClock(ts, timeZone)}`;
}

/**
 * A moment as a sentence names it: `HH:mm` when `ts` falls on the same calendar day as `now` (both UTC ms) in
 * `timeZone`, otherwise `HH:mm ngày dd/mm/yyyy` (vi) / `HH:mm on dd/mm/yyyy` (en).
 */
export function formatMoment(ts: number, now: number, lang: StatusLang, timeZone = SITE_TIME_ZONE): string {
  const clock = formatClock(ts, timeZone);
  const day = formatDate(ts, timeZone);
  if (day === formatDate(now, timeZone)) return clock;
  return lang === "vi" ? `${clock} ngày ${day}` : `${clock} on ${day}`;
}

const numberFormats = new Map<number, Intl.NumberFormat>();

/** `value` through Intl.NumberFormat("vi-VN") (1.234,5), at most `maxFractionDigits` decimals. */
export function formatNumber(value: number, maxFractionDigits = 1): string {
  let format = numberFormats.get(maxFractionDigits);
  if (!format) {
    format = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: maxFractionDigits });
    numberFormats.set(maxFractionDigits, format);
  }
  return format.format(value);
}

/** How a sentence names a link: "mạng TSLCD" / "Internet Viettel" (vi), "TSLCD network" / "Internet Viettel" (en). */
export function linkPhrase(link: { id: string; kind: LinkKind; provider: string | null }, lang: StatusLang): string {
  if (link.kind === "dedicated") return lang === "vi" ? "mạng TSLCD" : "TSLCD network";
  // Without a configured provider the link's id is the only name the contact can match against the config.
  return `Internet ${link.provider ?? link.id}`;
}

/** How a table labels a link's kind, in the glossary's words. */
export function linkKindLabel(kind: LinkKind, lang: StatusLang): string {
  if (kind === "dedicated") return lang === "vi" ? "Đường truyền số liệu chuyên dùng (TSLCD)" : "Dedicated government network (TSLCD)";
  return lang === "vi" ? "Đường truyền Internet" : "Internet link";
}

/**
 * Whom to report a link's fault to: its configured provider; a dedicated link without one goes to VNPT (the operator
 * of the TSLCD network); an Internet link without one to "the vendor".
 */
export function linkVendor(link: { kind: LinkKind; provider: string | null }, lang: StatusLang): string {
  if (link.provider) return link.provider;
  if (link.kind === "dedicated") return "VNPT";
  return lang === "vi" ? "nhà mạng" : "the vendor";
}
