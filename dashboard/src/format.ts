import type { Translator } from "./i18n.js";

/** The timezone every time is shown in (the province's, UTC+7). */
export const DISPLAY_TIME_ZONE = "Asia/Ho_Chi_Minh";

/** Formats times, durations and numbers the way the glossary says: `dd/mm/yyyy HH:mm` in UTC+7, numbers as 1.234,5. */
export interface Formatter {
  /** `dd/mm/yyyy HH:mm` in Asia/Ho_Chi_Minh for a UTC ms timestamp. */
  dateTime(ts: number): string;
  /** `dd/mm/yyyy HH:mm:ss` in Asia/Ho_Chi_Minh (chart cursor, titles). */
  dateTimeSeconds(ts: number): string;
  /** `HH:mm` in Asia/Ho_Chi_Minh. */
  time(ts: number): string;
  /** `dd/mm` in Asia/Ho_Chi_Minh. */
  dayMonth(ts: number): string;
  /** A number with at most `maxFractionDigits` decimals. */
  number(value: number, maxFractionDigits?: number): string;
  /** Round-trip time, ms: "12,3 ms"; "—" when null. */
  rtt(ms: number | null): string;
  /** Packet loss, %: "0,5%"; "—" when null. */
  loss(pct: number | null): string;
  /** A duration in ms, in its largest whole unit: "12 giây", "3 phút". */
  duration(ms: number): string;
  /** A duration in ms in its two largest units, for times to acknowledge/restore: "1 giờ 25 phút", "2 ngày 3 giờ". */
  span(ms: number): string;
  /** How long ago `ts` was, seen at `now` (both UTC ms): "12 giây trước". */
  ago(ts: number, now: number): string;
}

const NO_VALUE = "—";

/** Number locale per language: the glossary's vi-VN for Vietnamese, British English (also dd/mm) for English. */
const NUMBER_LOCALE = { vi: "vi-VN", en: "en-GB" } as const;

/** Builds a formatter whose words and number style follow the translator's language. */
export function createFormatter(translator: Translator): Formatter {
  const { t } = translator;
  const numberLocale = NUMBER_LOCALE[translator.lang];
  const numberFormats = new Map<number, Intl.NumberFormat>();
  const numberFormat = (digits: number): Intl.NumberFormat => {
    let format = numberFormats.get(digits);
    if (!format) {
      format = new Intl.NumberFormat(numberLocale, { maximumFractionDigits: digits });
      numberFormats.set(digits, format);
    }
    return format;
  };
  // Built from parts so the layout is dd/mm/yyyy HH:mm whatever the locale data says.
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: DISPLAY_TIME_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const fields = (ts: number): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const part of parts.formatToParts(new Date(ts))) out[part.type] = part.value;
    return out;
  };
  const number = (value: number, maxFractionDigits = 1): string => numberFormat(maxFractionDigits).format(value);

  const duration = (ms: number): string => {
    const seconds = Math.max(0, Math.round(Math.abs(ms) / 1000));
    if (seconds < 60) return t("duration.s", { n: number(seconds, 0) });
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return t("duration.m", { n: number(minutes, 0) });
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return t("duration.h", { n: number(hours, 0) });
    return t("duration.d", { n: number(Math.floor(hours / 24), 0) });
  };

  const span = (ms: number): string => {
    const minutes = Math.floor(Math.max(0, Math.round(Math.abs(ms) / 1000)) / 60);
    if (minutes < 60) return duration(ms);
    const whole = (unit: "duration.d" | "duration.h" | "duration.m", n: number): string => t(unit, { n: number(n, 0) });
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return minutes % 60 === 0 ? whole("duration.h", hours) : `${whole("duration.h", hours)} ${whole("duration.m", minutes % 60)}`;
    const days = Math.floor(hours / 24);
    return hours % 24 === 0 ? whole("duration.d", days) : `${whole("duration.d", days)} ${whole("duration.h", hours % 24)}`;
  };

  return {
    dateTime(ts) {
      const f = fields(ts);
      return `${f.day}/${f.month}/${f.year} ${f.hour}:${f.minute}`;
    },
    dateTimeSeconds(ts) {
      const f = fields(ts);
      return `${f.day}/${f.month}/${f.year} ${f.hour}:${f.minute}:${f.second}`;
    },
    time(ts) {
      const f = fields(ts);
      return `${f.hour}:${f.minute}`;
    },
    dayMonth(ts) {
      const f = fields(ts);
      return `${f.day}/${f.month}`;
    },
    number,
    rtt(ms) {
      if (ms === null || !Number.isFinite(ms)) return NO_VALUE;
      // Sub-millisecond values (a LAN or loopback target) keep two decimals, so they do not read as 0.
      return `${number(ms, ms < 1 ? 2 : ms < 10 ? 1 : 0)} ms`;
    },
    loss(pct) {
      if (pct === null || !Number.isFinite(pct)) return NO_VALUE;
      return `${number(pct, 1)}%`;
    },
    duration,
    span,
    ago(ts, now) {
      // The collector's clock and the browser's may differ a little: a "future" time is "just now".
      const ageMs = now - ts;
      if (ageMs < 2000) return t("time.justNow");
      return t("time.ago", { duration: duration(ageMs) });
    },
  };
}
