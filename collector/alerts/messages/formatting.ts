import type { MessageLanguage } from "./wording.js";

/**
 * How times, durations and numbers appear in messages (GLOSSARY.md): dates dd/mm/yyyy, times HH:mm (24 h) in the
 * province's time zone, numbers through Intl.NumberFormat("vi-VN") (1.234,5) in both languages.
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 2 });

/** `value` as the glossary writes numbers: "1.234,5". */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

/** `utcMs` as "dd/mm/yyyy HH:mm" in `timeZone` (an IANA name such as Asia/Ho_Chi_Minh). */
export function formatDateTime(utcMs: number, timeZone: string): string {
  const part = partsIn(utcMs, timeZone);
  return `${part("day")}/${part("month")}/${part("year")} ${part("hour")}:${part("minute")}`;
}

/** `utcMs` as "dd/mm/yyyy HH:mm (UTC+7)": the time with the zone's offset at that instant. */
export function formatDateTimeWithZone(utcMs: number, timeZone: string): string {
  return `${formatDateTime(utcMs, timeZone)} (${zoneLabel(utcMs, timeZone)})`;
}

/** The offset of `timeZone` at `utcMs` as "UTC+7", "UTC+5:30", "UTC". */
export function zoneLabel(utcMs: number, timeZone: string): string {
  const offset = partsIn(utcMs, timeZone)("timeZoneName").replace(/^GMT/, "");
  return offset === "" || /^[+-]0(:00)?$/.test(offset) ? "UTC" : `UTC${offset}`;
}

/**
 * A duration as people say it, whole minutes, largest units first and zero units left out: "1 giờ 25 phút",
 * "2 ngày 3 giờ", "dưới 1 phút" (en: "1 hour 25 minutes", "less than 1 minute"). Negative durations count as 0.
 */
export function formatDuration(durationMs: number, language: MessageLanguage): string {
  const totalMinutes = Math.floor(Math.max(0, durationMs) / MINUTE_MS);
  if (totalMinutes === 0) return language === "vi" ? "dưới 1 phút" : "less than 1 minute";
  const days = Math.floor(totalMinutes / (DAY_MS / MINUTE_MS));
  const hours = Math.floor((totalMinutes % (DAY_MS / MINUTE_MS)) / (HOUR_MS / MINUTE_MS));
  const minutes = totalMinutes % (HOUR_MS / MINUTE_MS);
  const units: Array<[number, string, string, string]> = [
    [days, "ngày", "day", "days"],
    [hours, "giờ", "hour", "hours"],
    [minutes, "phút", "minute", "minutes"],
  ];
  return units
    .filter(([count]) => count > 0)
    .map(([count, vi, one, many]) => `${formatNumber(count)} ${language === "vi" ? vi : count === 1 ? one : many}`)
    .join(" ");
}

/**
 * Coordinates as "10.95637, 106.82431" (5 decimals, about 1 m). Decimal points here, not the vi-VN comma: this
 * pair is copied into map apps and GPS units, which read only this form.
 */
export function formatCoordinates(location: { lat: number; lon: number }): string {
  return `${location.lat.toFixed(5)}, ${location.lon.toFixed(5)}`;
}

/** A `geo:` URI (RFC 5870) for the coordinates: opens the map app on a phone. */
export function geoUri(location: { lat: number; lon: number }): string {
  return `geo:${location.lat.toFixed(5)},${location.lon.toFixed(5)}`;
}

function partsIn(utcMs: number, timeZone: string): (type: Intl.DateTimeFormatPartTypes) => string {
  // Parts, not format(): the layout must not depend on the locale data's pattern for en-GB.
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "shortOffset",
  }).formatToParts(new Date(utcMs));
  return (type) => parts.find((p) => p.type === type)?.value ?? "";
}
