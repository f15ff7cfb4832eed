import type { LinkStateName } from "../../protocol/linkState.js";
import type { Diagnosis, DiagnosisSeverity } from "./diagnosis.js";
import type { AgentStatus, AppPathView, LastRound, LinkView } from "./statusModel.js";
import { formatDateTime, formatNumber, linkKindLabel, SITE_TIME_ZONE, STATE_WORDS, type StatusLang } from "./statusFormat.js";
import { html, type SafeHtml } from "./safeHtml.js";
import { renderSparkline } from "./sparkline.js";
import { STATUS_PAGE_CSS } from "./statusPageStyle.js";

/** How often the page reloads itself, seconds. */
export const STATUS_PAGE_REFRESH_S = 10;

const WORDS = {
  vi: {
    title: "Trạng thái kết nối",
    site: "Mã trạm",
    updated: "Cập nhật lúc",
    switchTo: "English",
    switchHref: "?lang=en",
    severity: { ok: "Bình thường", warning: "Cần chú ý", critical: "Có sự cố" },
    links: "Đường truyền",
    linkHead: ["Đường truyền", "Trạng thái", "Từ lúc", "Độ trễ (ms)", "Tỷ lệ mất gói (%)", "Nhà mạng", "Mã kênh", "1 giờ qua"],
    noLinks: "Chưa cấu hình đường truyền nào",
    apps: "Ứng dụng",
    app: "Ứng dụng / Hệ thống",
    noApps: "Chưa cấu hình ứng dụng nào",
    notProbed: "không đo qua đường này",
    lan: "Thiết bị mạng nội bộ",
    lanHead: ["Thiết bị", "Địa chỉ", "Trạng thái", "Từ lúc", "Độ trễ (ms)"],
    noLan: "Chưa cấu hình thiết bị nào",
    uplink: "Gửi dữ liệu về máy chủ giám sát",
    pending: "Bản ghi đang chờ gửi",
    dropped: "Bản ghi bị mất (bộ đệm đầy hoặc hỏng)",
    refused: "Bản ghi bị máy chủ giám sát từ chối (đã để riêng tại trạm)",
    refusedRecord: "bản ghi",
    spoolSize: "Dung lượng bộ đệm",
    lastOk: "Lần gửi thành công gần nhất",
    via: "qua",
    never: "Chưa gửi được lần nào",
    lastError: "Lỗi gửi gần nhất",
    noError: "Không có",
    failures: "Số lần gửi lỗi liên tiếp",
    collector: "Máy chủ giám sát",
    legend: "Đường xanh: độ trễ; cột đỏ: tỷ lệ mất gói.",
    footer: `Trang do wardwatch tại trạm phục vụ, không cần Internet; tự làm mới sau ${STATUS_PAGE_REFRESH_S} giây. Giờ Việt Nam (UTC+7).`,
    hours: "giờ",
    minutes: "phút",
    days: "ngày",
  },
  en: {
    title: "Connection status",
    site: "Site code",
    updated: "Updated at",
    switchTo: "Tiếng Việt",
    switchHref: "?lang=vi",
    severity: { ok: "All good", warning: "Needs attention", critical: "Incident" },
    links: "Links",
    linkHead: ["Link", "State", "Since", "Latency (ms)", "Packet loss (%)", "Vendor", "Circuit ID", "Last hour"],
    noLinks: "No links configured",
    apps: "Applications",
    app: "Application",
    noApps: "No applications configured",
    notProbed: "not probed over this link",
    lan: "LAN devices",
    lanHead: ["Device", "Address", "State", "Since", "Latency (ms)"],
    noLan: "No devices configured",
    uplink: "Pushing data to the collector",
    pending: "Records waiting",
    dropped: "Records lost (spool full or corrupt)",
    refused: "Records refused by the collector (set aside on site)",
    refusedRecord: "record",
    spoolSize: "Spool size",
    lastOk: "Last successful push",
    via: "via",
    never: "Never pushed yet",
    lastError: "Last push error",
    noError: "None",
    failures: "Consecutive failed pushes",
    collector: "Collector",
    legend: "Blue line: latency; red bars: packet loss.",
    footer: `Served by the wardwatch agent on site, no Internet needed; reloads every ${STATUS_PAGE_REFRESH_S} s. Vietnam time (UTC+7).`,
    hours: "h",
    minutes: "min",
    days: "d",
  },
} as const;

type Words = (typeof WORDS)[StatusLang];

/**
 * The local status page as one self-contained HTML document (inline CSS and SVG, no script, nothing fetched):
 * the diagnosis, links with a last-hour sparkline, applications per link path, LAN devices and the push backlog.
 * Every value from `status` is escaped. Times are `dd/mm/yyyy HH:mm` in `timeZone`; numbers in vi-VN format.
 */
export function renderStatusPage(status: AgentStatus, diagnosis: Diagnosis, lang: StatusLang, timeZone = SITE_TIME_ZONE): string {
  const w = WORDS[lang];
  const siteTitle = status.siteName ?? status.site;
  const when = (ts: number | null) => (ts === null ? "—" : formatDateTime(ts, timeZone));
  const page = html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${STATUS_PAGE_REFRESH_S}">
<title>${siteTitle} — ${w.title}</title>
<style>${STATUS_PAGE_CSS}</style>
</head>
<body>
<header>
<div><h1>${siteTitle}</h1>
<p class="sub">${w.title} · ${w.site}: ${status.site} · ${w.updated} ${when(status.generatedAt)}</p></div>
<a class="lang" href="${w.switchHref}">${w.switchTo}</a>
</header>
<main>
${renderDiagnosis(diagnosis, lang)}
<section><h2>${w.links}</h2>
${status.links.length === 0 ? html`<p class="empty">${w.noLinks}</p>` : html`<div class="scroll"><table>
<thead><tr>${w.linkHead.map((head) => html`<th>${head}</th>`)}</tr></thead>
<tbody>${status.links.map((link) => renderLinkRow(link, status.generatedAt, w, lang, when))}</tbody>
</table></div><p class="legend">${w.legend}</p>`}
</section>
<section><h2>${w.apps}</h2>
${renderApps(status, w, lang)}
</section>
<section><h2>${w.lan}</h2>
${status.lan.length === 0 ? html`<p class="empty">${w.noLan}</p>` : html`<div class="scroll"><table>
<thead><tr>${w.lanHead.map((head) => html`<th>${head}</th>`)}</tr></thead>
<tbody>${status.lan.map((device) => html`<tr><td>${device.name}</td><td class="mono">${device.target}</td><td>${stateCell(device.state, device.last, lang)}</td><td>${sinceCell(device.sinceTs, status.generatedAt, w, when)}</td><td class="num">${latencyText(device.last)}</td></tr>`)}</tbody>
</table></div>`}
</section>
<section><h2>${w.uplink}</h2>
${renderUplink(status, w, when)}
</section>
</main>
<footer>${w.footer}</footer>
</body>
</html>
`;
  return page.markup;
}

function renderDiagnosis(diagnosis: Diagnosis, lang: StatusLang): SafeHtml {
  const severity: DiagnosisSeverity = diagnosis.severity;
  return html`<section class="diagnosis sev-${severity}" role="status">
<h2>${WORDS[lang].severity[severity]}</h2>
<ul>${diagnosis[lang].map((sentence) => html`<li>${sentence}</li>`)}</ul>
</section>`;
}

function renderLinkRow(link: LinkView, now: number, w: Words, lang: StatusLang, when: (ts: number | null) => string): SafeHtml {
  return html`<tr>
<td><strong>${linkKindLabel(link.kind, lang)}</strong><br><span class="small">${link.id}${link.boundTo ? html` · ${link.boundTo}` : null}</span></td>
<td>${stateCell(link.state, link.last, lang)}</td>
<td>${sinceCell(link.sinceTs, now, w, when)}</td>
<td class="num">${latencyText(link.last)}</td>
<td class="num">${link.last ? formatNumber(link.last.lossPct) : "—"}</td>
<td>${link.provider ?? "—"}</td>
<td class="mono nowrap">${link.circuit ?? "—"}</td>
<td>${renderSparkline(link.history, now, lang)}</td>
</tr>`;
}

function renderApps(status: AgentStatus, w: Words, lang: StatusLang): SafeHtml {
  if (status.apps.length === 0) return html`<p class="empty">${w.noApps}</p>`;
  // One column per link, in the links' order, then any link a path names that the links table lacks.
  const columns = status.links.map((link) => link.id);
  for (const app of status.apps) for (const path of app.paths) if (!columns.includes(path.link)) columns.push(path.link);
  const heading = (id: string) => {
    const link = status.links.find((l) => l.id === id);
    return link ? html`${linkKindLabel(link.kind, lang)}<br><span class="small">${id}${link.provider ? html` · ${link.provider}` : null}</span>` : html`${id}`;
  };
  const cell = (path: AppPathView | undefined) => {
    if (!path) return html`<td class="small muted">${w.notProbed}</td>`;
    return html`<td>${stateCell(path.state, path.last, lang)}${path.last?.latencyMs != null ? html` <span class="small">${formatNumber(path.last.latencyMs, 0)} ms</span>` : null}</td>`;
  };
  return html`<div class="scroll"><table>
<thead><tr><th>${w.app}</th>${columns.map((id) => html`<th>${heading(id)}</th>`)}</tr></thead>
<tbody>${status.apps.map((app) => html`<tr><td><strong>${app.name}</strong><br><span class="small mono">${app.target}</span></td>${columns.map((id) => cell(app.paths.find((p) => p.link === id)))}</tr>`)}</tbody>
</table></div>`;
}

function renderUplink(status: AgentStatus, w: Words, when: (ts: number | null) => string): SafeHtml {
  const { spool, uplink } = status;
  const rows: [string, SafeHtml | string][] = [
    [w.pending, formatNumber(spool.pendingRecords, 0)],
    [w.dropped, spool.droppedRecords > 0 ? html`<span class="bad">${formatNumber(spool.droppedRecords, 0)}</span>` : "0"],
    [w.refused, renderRefused(spool, w, when)],
    [w.spoolSize, spoolSize(spool.bytes)],
    [w.lastOk, uplink.lastPushOkTs === null ? w.never : `${when(uplink.lastPushOkTs)}${uplink.viaLink ? ` (${w.via} ${uplink.viaLink})` : ""}`],
    [w.lastError, uplink.lastError ? html`<span class="bad">${uplink.lastError}</span>` : w.noError],
    [w.failures, formatNumber(uplink.consecutiveFailures, 0)],
    [w.collector, html`<span class="mono">${uplink.collectorUrl ?? "—"}</span>`],
  ];
  return html`<table class="facts"><tbody>${rows.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</tbody></table>`;
}

/** The count of refused records and, beneath, the newest few: when, what, the collector's reason. */
function renderRefused(spool: AgentStatus["spool"], w: Words, when: (ts: number | null) => string): SafeHtml | string {
  if (spool.refusedRecords === 0) return "0";
  const recent = spool.recentRefused.map(
    (record) => html`<li><span class="nowrap">${when(record.refusedAt)}</span> · ${w.refusedRecord} ${record.seq} (<span class="mono">${record.what}</span>): <span class="reason">${record.error}: ${record.message}</span></li>`,
  );
  return html`<span class="bad">${formatNumber(spool.refusedRecords, 0)}</span>${recent.length > 0 ? html`<ul class="small refused">${recent}</ul>` : null}`;
}

/** The state badge in the glossary's word and colour, with the failing round's reason beneath. */
function stateCell(state: LinkStateName, last: LastRound | null, lang: StatusLang): SafeHtml {
  const reason = last && !last.ok && last.reason ? html`<br><span class="small reason">${last.reason}</span>` : null;
  return html`<span class="badge st-${state}">${STATE_WORDS[lang][state]}</span>${reason}`;
}

function sinceCell(sinceTs: number | null, now: number, w: Words, when: (ts: number | null) => string): SafeHtml {
  if (sinceTs === null) return html`—`;
  return html`<span class="nowrap">${when(sinceTs)}</span><br><span class="small muted">${duration(now - sinceTs, w)}</span>`;
}

/** Bytes as kB below 1 MB, MB above (1 kB = 1024 bytes), vi-VN digits. */
function spoolSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024, 0)} kB`;
  return `${formatNumber(bytes / (1024 * 1024), 1)} MB`;
}

function latencyText(last: LastRound | null): string {
  return last?.latencyMs != null ? formatNumber(last.latencyMs, 0) : "—";
}

/** "2 giờ 5 phút" / "2 h 5 min"; days when longer than a day; "< 1 phút" under a minute. */
function duration(ms: number, w: Words): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return `< 1 ${w.minutes}`;
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days} ${w.days} ${hours} ${w.hours}`;
  if (hours > 0) return `${hours} ${w.hours} ${rest} ${w.minutes}`;
  return `${rest} ${w.minutes}`;
}
