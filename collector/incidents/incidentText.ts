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
