/**
 * Every word the dashboard shows, Vietnamese first, English second (docs: /work/shared/GLOSSARY.md
 * is the source of the Vietnamese terms; use the same word for the same thing everywhere).
 */

import { incidentStringsEn, incidentStringsVi } from "./i18nIncidents.js";
import { pageStringsEn, pageStringsVi } from "./i18nPages.js";
import { slaStringsEn, slaStringsVi } from "./sla/i18nSla.js";

/** Languages the dashboard speaks. */
export type Lang = "vi" | "en";

/** The languages in the order the switch shows them. */
export const LANGS: readonly Lang[] = ["vi", "en"];

const viCore = {
  "app.title": "wardwatch — Giám sát đường truyền xã/phường",
  "app.brand": "wardwatch",
  "nav.overview": "Tổng quan",
  "lang.switch": "Ngôn ngữ",
  "lang.vi": "Tiếng Việt",
  "lang.en": "English",

  "live.connecting": "Đang kết nối…",
  "live.live": "Trực tiếp",
  "live.reconnecting": "Đang kết nối lại…",

  "state.up": "Bình thường",
  "state.degraded": "Suy giảm",
  "state.down": "Mất kết nối",
  "state.unknown": "Chưa rõ",
  "state.silent": "Mất liên lạc với trạm",
  "link.flapping": "Chập chờn",
  "link.flappingHint": "Trạng thái thay đổi liên tục trong thời gian gần đây",

  "kind.dedicated.short": "TSLCD",
  "kind.internet.short": "Internet {provider}",
  "kind.dedicated.long": "Đường truyền số liệu chuyên dùng (TSLCD)",
  "kind.internet.long": "Đường truyền Internet",

  "overview.heading": "Tổng quan",
  "overview.summary": "Tóm tắt trạng thái các xã/phường",
  "overview.total": "Tổng số",
  "overview.filterHint": "Bấm vào một trạng thái để chỉ xem các xã/phường ở trạng thái đó",
  "overview.search": "Tìm xã/phường",
  "overview.col.site": "Xã / Phường / Đặc khu",
  "overview.col.state": "Trạng thái",
  "overview.col.links": "Đường truyền",
  "overview.col.lastSeen": "Lần cuối nhận dữ liệu",
  "overview.empty": "Chưa có xã/phường nào được cấu hình.",
  "overview.noMatch": "Không có xã/phường nào khớp bộ lọc.",
  "overview.loading": "Đang tải…",

  "site.back": "← Tổng quan",
  "site.address": "Địa chỉ",
  "site.lastSeen": "Lần cuối nhận dữ liệu",
  "site.never": "Chưa nhận dữ liệu",
  "site.spool": "Bộ đệm tại trạm",
  "site.spoolPending": "{n} bản ghi chờ gửi",
  "site.spoolDropped": "Trạm đã bỏ {n} bản ghi đo vì bộ đệm đầy: một phần lịch sử đo của trạm bị mất.",
  "site.refused": "Máy chủ thu thập đã từ chối {n} bản ghi đo của trạm (sai định dạng, đường truyền không có trong cấu hình, hoặc thời gian không hợp lệ); trạm báo đã để riêng {agent} bản ghi.",
  "site.links": "Đường truyền",
  "site.noLinks": "Xã/phường này chưa có đường truyền nào được cấu hình.",
  "site.notFound": "Không tìm thấy xã/phường “{id}”.",
  "site.range": "Khoảng thời gian",
  "site.stateSince": "từ {time}",

  "link.provider": "Nhà mạng",
  "link.circuit": "Mã kênh",
  "link.bandwidth": "Băng thông",
  "link.state": "Trạng thái",
  "link.rtt": "Độ trễ",
  "link.loss": "Tỷ lệ mất gói",
  "link.lastSample": "Mẫu đo gần nhất",
  "link.id": "Mã đường truyền",

  "chart.latency": "Độ trễ (ms)",
  "chart.loss": "Tỷ lệ mất gói (%)",
  "chart.avg": "Trung bình",
  "chart.min": "Thấp nhất",
  "chart.max": "Cao nhất",
  "chart.time": "Thời gian",
  "chart.loading": "Đang tải biểu đồ…",
  "chart.noData": "Không có dữ liệu trong khoảng thời gian này.",
  "chart.error": "Không tải được biểu đồ: {message}",
  "chart.rollup.5m": "Số liệu gộp theo từng 5 phút; khoảng gần nhất chưa được gộp thì để trống.",
  "chart.rollup.1h": "Số liệu gộp theo từng giờ; giờ gần nhất chưa được gộp thì để trống.",

  "range.1h": "1 giờ",
  "range.6h": "6 giờ",
  "range.24h": "24 giờ",
  "range.7d": "7 ngày",
  "range.30d": "30 ngày",
  "range.1y": "1 năm",

  "skew.title": "Đồng hồ của trạm lệch {offset} so với máy chủ; thời điểm các mẫu đo đã được hiệu chỉnh.",
  "skew.label": "Lệch đồng hồ",

  "time.justNow": "vừa xong",
  "time.ago": "{duration} trước",
  "duration.s": "{n} giây",
  "duration.m": "{n} phút",
  "duration.h": "{n} giờ",
  "duration.d": "{n} ngày",

  "error.network": "Không kết nối được tới máy chủ giám sát.",
  "error.malformed": "Máy chủ trả về dữ liệu không hợp lệ.",
  "error.generic": "Lỗi: {message}",
  "error.retry": "Thử lại",

  "login.heading": "Đăng nhập",
  "login.name": "Tên đăng nhập",
  "login.password": "Mật khẩu",
  "login.submit": "Đăng nhập",
  "login.failed": "Sai tên đăng nhập hoặc mật khẩu.",
  "login.locked": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây.",
  "login.logout": "Đăng xuất",
  "role.province": "Sở KH&CN (quản trị tỉnh)",
  "role.vendor": "Nhà mạng",
  "role.ward": "Xã/phường",
} as const;

const vi = { ...viCore, ...incidentStringsVi, ...pageStringsVi, ...slaStringsVi };

/** Key of a string in the table. */
export type MessageKey = keyof typeof vi;

const enCore: Record<keyof typeof viCore, string> = {
  "app.title": "wardwatch — Commune and ward link monitoring",
  "app.brand": "wardwatch",
  "nav.overview": "Overview",
  "lang.switch": "Language",
  "lang.vi": "Tiếng Việt",
  "lang.en": "English",

  "live.connecting": "Connecting…",
  "live.live": "Live",
  "live.reconnecting": "Reconnecting…",

  "state.up": "Up",
  "state.degraded": "Degraded",
  "state.down": "Down",
  "state.unknown": "Unknown",
  "state.silent": "Silent (no reports)",
  "link.flapping": "Flapping",
  "link.flappingHint": "The state has been changing repeatedly",

  "kind.dedicated.short": "TSLCD",
  "kind.internet.short": "Internet {provider}",
  "kind.dedicated.long": "Dedicated government network (TSLCD)",
  "kind.internet.long": "Internet link",

  "overview.heading": "Overview",
  "overview.summary": "Site state summary",
  "overview.total": "Total",
  "overview.filterHint": "Select a state to show only the sites in that state",
  "overview.search": "Find a commune or ward",
  "overview.col.site": "Commune / Ward / Special zone",
  "overview.col.state": "State",
  "overview.col.links": "Links",
  "overview.col.lastSeen": "Last report",
  "overview.empty": "No sites are configured yet.",
  "overview.noMatch": "No site matches the filter.",
  "overview.loading": "Loading…",

  "site.back": "← Overview",
  "site.address": "Address",
  "site.lastSeen": "Last report",
  "site.never": "No report yet",
  "site.spool": "Site spool",
  "site.spoolPending": "{n} records waiting to be sent",
  "site.spoolDropped": "The site dropped {n} records because its spool was full: part of its measurement history is lost.",
  "site.refused": "The collector refused {n} of the site's records (malformed, a link not in its configuration, or a time out of bounds); the site reports {agent} set aside.",
  "site.links": "Links",
  "site.noLinks": "This site has no links configured.",
  "site.notFound": "Site “{id}” was not found.",
  "site.range": "Time range",
  "site.stateSince": "since {time}",

  "link.provider": "Telecom vendor",
  "link.circuit": "Circuit ID",
  "link.bandwidth": "Bandwidth",
  "link.state": "State",
  "link.rtt": "Latency",
  "link.loss": "Packet loss",
  "link.lastSample": "Last sample",
  "link.id": "Link ID",

  "chart.latency": "Latency (ms)",
  "chart.loss": "Packet loss (%)",
  "chart.avg": "Average",
  "chart.min": "Minimum",
  "chart.max": "Maximum",
  "chart.time": "Time",
  "chart.loading": "Loading chart…",
  "chart.noData": "No data in this time range.",
  "chart.error": "Could not load the chart: {message}",
  "chart.rollup.5m": "5-minute rollups; the latest window, not rolled up yet, is blank.",
  "chart.rollup.1h": "Hourly rollups; the latest hour, not rolled up yet, is blank.",

  "range.1h": "1 hour",
  "range.6h": "6 hours",
  "range.24h": "24 hours",
  "range.7d": "7 days",
  "range.30d": "30 days",
  "range.1y": "1 year",

  "skew.title": "The site's clock is off by {offset} from the server's; sample times have been corrected.",
  "skew.label": "Clock skew",

  "time.justNow": "just now",
  "time.ago": "{duration} ago",
  "duration.s": "{n} s",
  "duration.m": "{n} min",
  "duration.h": "{n} h",
  "duration.d": "{n} d",

  "error.network": "Cannot reach the monitoring server.",
  "error.malformed": "The server sent data the dashboard cannot read.",
  "error.generic": "Error: {message}",
  "error.retry": "Retry",

  "login.heading": "Log in",
  "login.name": "User name",
  "login.password": "Password",
  "login.submit": "Log in",
  "login.failed": "Wrong user name or password.",
  "login.locked": "Too many failed logins. Please try again in {seconds} s.",
  "login.logout": "Log out",
  "role.province": "Provincial ICT (administrator)",
  "role.vendor": "Vendor",
  "role.ward": "Commune/ward",
};

const en: Record<MessageKey, string> = { ...enCore, ...incidentStringsEn, ...pageStringsEn, ...slaStringsEn };

const TABLES: Record<Lang, Record<MessageKey, string>> = { vi, en };

/** localStorage key holding the chosen language. */
export const LANG_STORAGE_KEY = "wardwatch.lang";

/** Looks up strings in the current language and remembers the user's choice. */
export interface Translator {
  readonly lang: Lang;
  /** The string for `key`, with `{name}` placeholders replaced from `params`. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
}

/** Parses a stored or requested language; anything else means Vietnamese. */
export function parseLang(value: string | null | undefined): Lang {
  return value === "en" ? "en" : "vi";
}

/** The language saved in `storage` (Vietnamese when none or unreadable). */
export function loadLang(storage: Pick<Storage, "getItem"> | null): Lang {
  try {
    return parseLang(storage?.getItem(LANG_STORAGE_KEY));
  } catch {
    // Storage can throw (privacy mode, disabled cookies): fall back to Vietnamese.
    return "vi";
  }
}

/** Saves the chosen language; failures are ignored (the choice then lasts for this page only). */
export function saveLang(storage: Pick<Storage, "setItem"> | null, lang: Lang): void {
  try {
    storage?.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // See loadLang.
  }
}

/** A translator for one language. */
export function createTranslator(lang: Lang): Translator {
  const table = TABLES[lang];
  return {
    lang,
    t(key, params) {
      const template = table[key];
      if (!params) return template;
      return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in params ? String(params[name]) : whole,
      );
    },
  };
}
