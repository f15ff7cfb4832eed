import type { SlaFigures, SlaReport } from "../../protocol/sla.js";
import { escapeHtml } from "../alerts/messages/html.js";

/** A report rendered for e-mail: subject, plain text and HTML (Vietnamese). */
export interface RenderedSlaReport {
  subject: string;
  text: string;
  html: string;
}

/** "12/2026" from "2026-12". */
function monthLabel(month: string): string {
  const [year, m] = month.split("-");
  return `${m}/${year}`;
}

function pct(value: number | null): string {
  return value === null ? "—" : `${value.toFixed(3)} %`;
}

function minutes(ms: number | null): string {
  return ms === null ? "—" : `${(ms / 60_000).toFixed(1)} phút`;
}

function met(figures: SlaFigures): string {
  return figures.met === null ? "Chưa có số liệu" : figures.met ? "Đạt" : "Không đạt";
}

/**
 * The report as an e-mail (Báo cáo chất lượng dịch vụ / SLA): per provider its totals, then every circuit of the
 * report; `provinceName` heads it, `audience` says whose part it is ("toàn tỉnh" or a vendor's name). Every text from
 * configuration is escaped.
 */
export function renderSlaReport(report: SlaReport, provinceName: string, audience: string): RenderedSlaReport {
  const subject = `[wardwatch] Báo cáo SLA tháng ${monthLabel(report.month)} — ${audience}`;
  const providerRows = report.providers.map((p) => [p.providerName, String(p.circuits), pct(p.targetPct), pct(p.allHours.availabilityPct), pct(p.officeHours.availabilityPct), pct(p.allHours.coveragePct), String(p.outages), minutes(p.outageMs), minutes(p.response.mttaMs), minutes(p.response.mttrMs), met(p)]);
  const circuitRows = report.circuits.map((c) => [c.siteName, c.circuit, c.provider, pct(c.allHours.availabilityPct), pct(c.officeHours.availabilityPct), pct(c.allHours.coveragePct), String(c.outages), minutes(c.outageMs), minutes(c.response.mttaMs), minutes(c.response.mttrMs), met(c)]);
  const providerHead = ["Nhà mạng", "Số kênh", "Cam kết", "Khả dụng 24/7", "Khả dụng giờ hành chính", "Độ phủ số liệu", "Số lần mất kết nối", "Tổng thời gian", "Tiếp nhận TB (MTTA)", "Khắc phục TB (MTTR)", "Kết quả"];
  const circuitHead = ["Trạm", "Mã kênh", "Nhà mạng", "Khả dụng 24/7", "Khả dụng giờ hành chính", "Độ phủ số liệu", "Số lần mất kết nối", "Tổng thời gian", "Tiếp nhận TB (MTTA)", "Khắc phục TB (MTTR)", "Kết quả"];
  const note = "Khả dụng = thời gian hoạt động / (hoạt động + mất kết nối). Thời gian không có số liệu (trạm tắt, không gửi bù) không tính cho nhà mạng, thể hiện ở độ phủ số liệu; thời gian bảo trì và mất điện tại trạm được loại trừ. Bảng chi tiết trong tệp CSV đính kèm.";
  const table = (head: string[], rows: string[][]): string =>
    `<table border="1" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:13px"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((v) => `<td>${escapeHtml(v)}</td>`).join("")}</tr>`).join("")}</tbody></table>`;
  const html = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family:sans-serif">
<h1 style="font-size:18px">Báo cáo chất lượng dịch vụ đường truyền (SLA) tháng ${escapeHtml(monthLabel(report.month))}</h1>
<p>${escapeHtml(provinceName)} — ${escapeHtml(audience)}${report.partial ? " (số liệu chưa đầy đủ)" : ""}</p>
<h2 style="font-size:15px">Theo nhà mạng</h2>${table(providerHead, providerRows)}
<h2 style="font-size:15px">Theo kênh truyền</h2>${table(circuitHead, circuitRows)}
<p style="font-size:12px;color:#555">${escapeHtml(note)}</p></body></html>`;
  const text = [
    `Báo cáo SLA tháng ${monthLabel(report.month)} — ${provinceName} — ${audience}`,
    "",
    ...report.providers.map((p) => `${p.providerName}: khả dụng ${pct(p.allHours.availabilityPct)} (cam kết ${pct(p.targetPct)}, ${met(p)}), ${p.outages} lần mất kết nối, ${minutes(p.outageMs)}`),
    "",
    note,
  ].join("\n");
  return { subject, text, html };
}
