import type { AgentStatus, AppView, LinkView } from "./statusModel.js";
import { formatMoment, formatNumber, linkPhrase, linkVendor, SITE_TIME_ZONE, type StatusLang } from "./statusFormat.js";

/** How bad things are: `ok` nothing to do; `warning` something to watch or fix soon; `critical` a link or application is lost. */
export type DiagnosisSeverity = "ok" | "warning" | "critical";

/**
 * What the local status page says at its top: short sentences naming what is at fault and whom to call, most
 * severe first; `vi[i]` and `en[i]` say the same thing.
 */
export interface Diagnosis {
  severity: DiagnosisSeverity;
  vi: string[];
  en: string[];
}

/** Consecutive failed pushes before the page says the collector cannot be reached (one failure is usually a blip). */
export const COLLECTOR_FAILURES_BEFORE_WARNING = 3;

/** Longest push error quoted in a sentence, characters. */
const MAX_ERROR_CHARS = 120;

/** The provincial ICT team, in the glossary's words. */
const PROVINCE_TEAM = { vi: "Sở Khoa học và Công nghệ", en: "the provincial ICT team (Sở Khoa học và Công nghệ)" } as const;

type Sentence = { vi: string; en: string };
type LinkRef = Pick<LinkView, "id" | "kind" | "provider" | "circuit">;

const SEVERITY_RANK: Record<DiagnosisSeverity, number> = { ok: 0, warning: 1, critical: 2 };

/** A refusal newer than this keeps rule 7b a warning; older ones are only said, ms (one day). */
export const REFUSED_RECENT_MS = 24 * 60 * 60 * 1000;

/**
 * Reads an {@link AgentStatus} and says, in plain Vietnamese and English, what is wrong and whom to call. Pure: times
 * are shown in `timeZone` as `HH:mm` (with the date when not on the day of `status.generatedAt`).
 *
 * Rules, in the order the sentences come:
 * 1. every WAN link down → check power and the site router/modem first, then each vendor with its circuit (critical);
 *    otherwise each down link, the links still up, and the vendor and circuit to report (critical);
 * 2. an application down over every working link → the application / provincial data centre, call the province (critical);
 * 3. a degraded link, with its loss and latency (warning);
 * 4. an application down over some working links but up over another → that path's vendor, not the application (warning);
 * 5. a LAN device down → the device, its cable or switch, not the WAN (warning);
 * 6. pushes failing {@link COLLECTOR_FAILURES_BEFORE_WARNING} times while a link works → data kept in the spool (warning);
 * 7. records dropped from a full or corrupt spool (warning);
 * 7b. records the collector refused, set aside (warning while the newest is under {@link REFUSED_RECENT_MS} old);
 * 8. links with no judgement yet (no change to severity);
 * and when none of these applies, one sentence saying all is well.
 */
export function diagnose(status: AgentStatus, timeZone = SITE_TIME_ZONE): Diagnosis {
  const sentences: Sentence[] = [];
  let severity: DiagnosisSeverity = "ok";
  const say = (level: DiagnosisSeverity, sentence: Sentence) => {
    sentences.push(sentence);
    if (SEVERITY_RANK[level] > SEVERITY_RANK[severity]) severity = level;
  };
  const at = (ts: number | null, lang: StatusLang) => (ts === null ? null : formatMoment(ts, status.generatedAt, lang, timeZone));
  const since = (ts: number | null): Sentence => {
    const vi = at(ts, "vi");
    const en = at(ts, "en");
    return { vi: vi ? ` từ ${vi}` : "", en: en ? ` since ${en}` : "" };
  };
  const linksById = new Map(status.links.map((link) => [link.id, link]));
  const refOf = (id: string): LinkRef => linksById.get(id) ?? { id, kind: "internet", provider: null, circuit: null };
  const names = (links: readonly LinkRef[], lang: StatusLang) => links.map((link) => nameOf(link, lang)).join(", ");

  const down = status.links.filter((link) => link.state === "down");
  const working = status.links.filter((link) => link.state === "up" || link.state === "degraded");
  const up = status.links.filter((link) => link.state === "up");
  const allDown = status.links.length > 0 && down.length === status.links.length;

  // 1. WAN links lost.
  if (allDown) {
    const lastLost = latest(down.map((link) => link.sinceTs));
    const when = since(lastLost);
    say("critical", {
      vi: `Mất kết nối tất cả đường truyền${when.vi} (${names(down, "vi")})`,
      en: `All links down${when.en} (${names(down, "en")})`,
    });
    say("critical", {
      vi: "Kiểm tra nguồn điện, router/modem và dây mạng tại trạm trước",
      en: "Check the power, the router/modem and the cables at the site first",
    });
    say("critical", {
      vi: `Nếu thiết bị tại trạm bình thường → báo từng nhà mạng: ${down.map((link) => `${vendorAndCircuit(link, "vi")} (${nameOf(link, "vi")})`).join("; ")}`,
      en: `If the site equipment is fine → report to each vendor: ${down.map((link) => `${vendorAndCircuit(link, "en")} (${nameOf(link, "en")})`).join("; ")}`,
    });
    if (status.spool.pendingRecords > 0) {
      const count = formatNumber(status.spool.pendingRecords, 0);
      say("critical", {
        vi: `Dữ liệu đo vẫn được lưu tại trạm: ${count} bản ghi đang chờ gửi`,
        en: `Measurements are kept at the site: ${count} records waiting to be sent`,
      });
    }
  } else {
    for (const link of down) {
      const when = since(link.sinceTs);
      const stillUp = up.length > 0 ? { vi: `; ${names(up, "vi")} vẫn bình thường`, en: `; ${names(up, "en")} still up` } : { vi: "", en: "" };
      say("critical", {
        vi: `Mất kết nối ${nameOf(link, "vi")}${when.vi}${stillUp.vi} → ${report([link], "vi")}`,
        en: `${nameOf(link, "en")} down${when.en}${stillUp.en} → ${report([link], "en")}`,
      });
    }
  }

  // 2 and 4 look at the same applications; paths over a down link are already explained by rule 1.
  const pathOnly: Sentence[] = [];
  for (const app of status.apps) {
    const verdict = judgeApp(app, (id) => linksById.get(id)?.state !== "down");
    if (verdict.kind === "application") {
      const when = since(latest(verdict.failing.map((path) => path.sinceTs)));
      const failing = verdict.failing.map((path) => refOf(path.link));
      const over = verdict.everyPath
        ? { vi: "mọi đường truyền", en: "every link" }
        : { vi: names(failing, "vi"), en: names(failing, "en") };
      say("critical", {
        vi: `Không vào được ${app.name} qua ${over.vi}${when.vi} dù đường truyền vẫn hoạt động → lỗi tại ứng dụng/trung tâm dữ liệu tỉnh; báo ${PROVINCE_TEAM.vi}`,
        en: `${app.name} unreachable over ${over.en}${when.en} while the links work → the application or the provincial data centre is at fault; call ${PROVINCE_TEAM.en}`,
      });
    } else if (verdict.kind === "path") {
      const when = since(earliest(verdict.failing.map((path) => path.sinceTs)));
      const failing = verdict.failing.map((path) => refOf(path.link));
      const reachable = verdict.reachable.map((path) => refOf(path.link));
      pathOnly.push({
        vi: `Không vào được ${app.name} qua ${names(failing, "vi")}${when.vi}, qua ${names(reachable, "vi")} vẫn vào được → lỗi trên đường ${names(failing, "vi")}, không phải do ứng dụng; ${report(failing, "vi")}`,
        en: `${app.name} unreachable over ${names(failing, "en")}${when.en} but reachable over ${names(reachable, "en")} → the fault is on the ${names(failing, "en")} path, not the application; ${report(failing, "en")}`,
      });
    }
  }

  // 3. Degraded links.
  for (const link of status.links.filter((l) => l.state === "degraded")) {
    const when = since(link.sinceTs);
    const figures = linkFigures(link);
    say("warning", {
      vi: `Suy giảm ${nameOf(link, "vi")}${when.vi}${figures ? `: ${figures.vi}` : ""} → nếu kéo dài, ${report([link], "vi")}`,
      en: `${nameOf(link, "en")} degraded${when.en}${figures ? `: ${figures.en}` : ""} → if it persists, ${report([link], "en")}`,
    });
  }

  // 4. Application paths.
  for (const sentence of pathOnly) say("warning", sentence);

  // 5. LAN devices.
  for (const device of status.lan.filter((d) => d.state === "down")) {
    const when = since(device.sinceTs);
    say("warning", {
      vi: `Mất kết nối thiết bị ${device.name} (${device.target})${when.vi} → kiểm tra nguồn thiết bị, dây cáp và switch; không phải lỗi đường truyền`,
      en: `LAN device ${device.name} (${device.target}) down${when.en} → check the device's power, its cable and the switch; not a WAN problem`,
    });
  }

  // 6. The collector, when a link works (with every link down the reason is already said).
  const { uplink, spool } = status;
  if (working.length > 0 && uplink.consecutiveFailures >= COLLECTOR_FAILURES_BEFORE_WARNING) {
    const when = uplink.lastPushOkTs === null ? { vi: "", en: "" } : since(uplink.lastPushOkTs);
    const error = uplink.lastError ? clip(uplink.lastError) : null;
    say("warning", {
      vi: `Không gửi được dữ liệu về máy chủ giám sát${when.vi} dù vẫn có đường truyền${error ? ` (lỗi: ${error})` : ""}`,
      en: `Pushes to the collector failing${when.en} although a link works${error ? ` (error: ${error})` : ""}`,
    });
    const count = formatNumber(spool.pendingRecords, 0);
    say("warning", {
      vi: `Dữ liệu được giữ tại trạm: ${count} bản ghi đang chờ gửi, sẽ tự gửi lại; nếu kéo dài, báo ${PROVINCE_TEAM.vi}`,
      en: `Data is kept in the spool: ${count} records waiting, sent automatically later; if it persists, call ${PROVINCE_TEAM.en}`,
    });
  }

  // 7. Spool overflow or corruption.
  if (spool.droppedRecords > 0) {
    const count = formatNumber(spool.droppedRecords, 0);
    say("warning", {
      vi: `Bộ đệm tại trạm đã đầy hoặc bị hỏng: ${count} bản ghi chưa gửi đã bị mất → mất dữ liệu đo của khoảng thời gian đó`,
      en: `The site's spool was full or corrupt: ${count} unsent records were lost → measurements from that time are lost`,
    });
  }

  // 7b. Records the collector will never take.
  const newestRefused = spool.recentRefused[0];
  if (spool.refusedRecords > 0 && newestRefused) {
    const count = formatNumber(spool.refusedRecords, 0);
    const reason = clip(`${newestRefused.error}: ${newestRefused.message}`);
    say(status.generatedAt - newestRefused.refusedAt < REFUSED_RECENT_MS ? "warning" : "ok", {
      vi: `Máy chủ giám sát đã từ chối ${count} bản ghi, đã để riêng tại trạm (gần nhất lúc ${at(newestRefused.refusedAt, "vi")}: ${reason}) → báo ${PROVINCE_TEAM.vi}`,
      en: `The collector refused ${count} records, set aside on site (latest at ${at(newestRefused.refusedAt, "en")}: ${reason}) → call ${PROVINCE_TEAM.en}`,
    });
  }

  // 8. Links not judged yet: said, but not alarming (every link starts unknown for a few rounds).
  for (const link of status.links.filter((l) => l.state === "unknown")) {
    say("ok", { vi: `Chưa rõ trạng thái ${nameOf(link, "vi")}: chưa có kết quả đo`, en: `${nameOf(link, "en")} state unknown: no measurements yet` });
  }

  if (sentences.length === 0) {
    say("ok", { vi: "Tất cả đường truyền, ứng dụng và thiết bị đều bình thường", en: "All links, applications and devices are up" });
  }
  return { severity, vi: sentences.map((s) => s.vi), en: sentences.map((s) => s.en) };
}

type AppVerdict =
  | { kind: "fine" }
  | { kind: "application"; failing: AppView["paths"]; everyPath: boolean }
  | { kind: "path"; failing: AppView["paths"]; reachable: AppView["paths"] };

/**
 * Where an application's trouble lies, looking only at paths over links that work (`linkWorks`): down over all of
 * them → the application; down over some and reachable over another → those paths.
 */
function judgeApp(app: AppView, linkWorks: (linkId: string) => boolean): AppVerdict {
  const live = app.paths.filter((path) => linkWorks(path.link));
  const failing = live.filter((path) => path.state === "down");
  const reachable = live.filter((path) => path.state === "up" || path.state === "degraded");
  if (failing.length === 0) return { kind: "fine" };
  if (reachable.length > 0) return { kind: "path", failing, reachable };
  // Paths still unknown leave the question open: say nothing until they are judged.
  if (failing.length < live.length) return { kind: "fine" };
  return { kind: "application", failing, everyPath: live.length === app.paths.length };
}

function nameOf(link: LinkRef, lang: StatusLang): string {
  return linkPhrase(link, lang);
}

/** "VNPT, mã kênh DNI-TSL-000123" / "VNPT, circuit DNI-TSL-000123"; the vendor alone when no circuit is configured. */
function vendorAndCircuit(link: LinkRef, lang: StatusLang): string {
  const vendor = linkVendor(link, lang);
  if (!link.circuit) return vendor;
  return lang === "vi" ? `${vendor}, mã kênh ${link.circuit}` : `${vendor}, circuit ${link.circuit}`;
}

/** "báo VNPT, mã kênh …; báo Viettel, mã kênh …" for each link. */
function report(links: readonly LinkRef[], lang: StatusLang): string {
  const verb = lang === "vi" ? "báo" : "report to";
  return links.map((link) => `${verb} ${vendorAndCircuit(link, lang)}`).join("; ");
}

/** A degraded link's loss and latency from its last round (or, lacking one, its newest history point). */
function linkFigures(link: LinkView): Sentence | null {
  const point = link.last ?? link.history.at(-1) ?? null;
  if (!point) return null;
  const loss = formatNumber(point.lossPct);
  const vi = [`tỷ lệ mất gói ${loss}%`];
  const en = [`packet loss ${loss}%`];
  if (point.latencyMs !== null) {
    const latency = formatNumber(point.latencyMs, 0);
    vi.push(`độ trễ ${latency} ms`);
    en.push(`latency ${latency} ms`);
  }
  return { vi: vi.join(", "), en: en.join(", ") };
}

function latest(times: readonly (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length > 0 ? Math.max(...known) : null;
}

function earliest(times: readonly (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length > 0 ? Math.min(...known) : null;
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > MAX_ERROR_CHARS ? `${oneLine.slice(0, MAX_ERROR_CHARS - 1)}…` : oneLine;
}
