import type { LinkView } from "./siteView.js";

/** "HH:mm dd/mm/yyyy" in the province's time zone. */
export function localTime(ts: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", day: "2-digit", month: "2-digit", year: "numeric", hourCycle: "h23" }).formatToParts(new Date(ts));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("hour")}:${get("minute")} ${get("day")}/${get("month")}/${get("year")}`;
}

/** The link's name in the glossary's words: "TSLCD" for the dedicated network, "Internet <provider>" otherwise. */
export function linkName(link: Pick<LinkView, "kind" | "providerName">): string {
  return link.kind === "dedicated" ? "TSLCD" : `Internet ${link.providerName}`;
}

const number = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

/** What was measured on a failing link, in Vietnamese, e.g. "Tỷ lệ mất gói 100%, độ trễ không đo được". */
export function symptomOf(link: LinkView): string {
  const loss = link.lossPct === null ? "chưa đo được tỷ lệ mất gói" : `tỷ lệ mất gói ${number.format(link.lossPct)}%`;
  const rtt = link.rttMs === null ? "không có phản hồi" : `độ trễ ${number.format(link.rttMs)} ms`;
  return `${linkName(link)}: ${loss}, ${rtt}`;
}

/**
 * The collector's own incident when its store takes no writes, in Vietnamese: the summary, and as evidence since
 * when (province time) and with what error writes fail, and what that means for the sites' data (kept in the agents'
 * spools, sent again later: nothing lost) and for monitoring meanwhile (states and incidents not updated).
 */
export function storeOutageText(storeKind: string, sinceTs: number, error: string, timeZone: string): { summary: string; evidence: string[] } {
  const store = storeKind === "sqlite" ? "SQLite" : storeKind;
  return {
    summary: `Máy chủ giám sát không ghi được dữ liệu vào kho lưu trữ (${store})`,
    evidence: [
      `Mọi lần ghi vào kho lưu trữ đều thất bại từ ${localTime(sinceTs, timeZone)}: ${error}`,
      "Các trạm vẫn đo và giữ số liệu trong bộ đệm (spool); máy chủ yêu cầu gửi lại sau, nên số liệu không bị mất",
      "Trạng thái đường truyền và sự cố của các trạm không được cập nhật cho đến khi kho lưu trữ hoạt động trở lại",
    ],
  };
}
