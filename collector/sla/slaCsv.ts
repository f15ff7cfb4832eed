import type { SlaCircuit, SlaFigures, SlaProvider, SlaReport } from "../../protocol/sla.js";

/** The byte order mark Excel needs to read a CSV file as UTF-8 (Vietnamese names). */
export const UTF8_BOM = "\uFEFF";

/** Column headers, Vietnamese first with English in brackets. Durations in minutes, percentages in %. */
export const SLA_CSV_HEADER = [
  "Loại dòng (Row)",
  "Nhà mạng (Provider)",
  "Mã trạm (Site ID)",
  "Tên trạm (Site)",
  "Đường truyền (Link)",
  "Loại kênh (Link kind)",
  "Mã kênh (Circuit)",
  "Số kênh (Circuits)",
  "Cam kết % (Target %)",
  "Khả dụng 24/7 % (Availability 24/7 %)",
  "Khả dụng giờ hành chính % (Availability office hours %)",
  "Độ phủ số liệu % (Coverage %)",
  "Hoạt động, phút (Up, min)",
  "Mất kết nối, phút (Down, min)",
  "Không rõ, phút (Unknown, min)",
  "Loại trừ, phút (Excluded, min)",
  "Số lần mất kết nối (Outages)",
  "Tổng thời gian mất kết nối, phút (Outage total, min)",
  "Số sự cố (Incidents)",
  "Đã tiếp nhận (Acknowledged)",
  "Thời gian tiếp nhận TB, phút (MTTA, min)",
  "Thời gian khắc phục TB, phút (MTTR, min)",
  "Đạt cam kết (Met)",
] as const;

/**
 * The report as CSV (RFC 4180: comma-separated, CRLF line ends, fields quoted when needed), UTF-8 with a byte order
 * mark: one header line, then per provider its total line followed by its circuits. Numbers use '.' as the decimal
 * mark whatever the reader's locale (percentages to 3 decimals, minutes to 2); an empty field is "no figure"
 * (nothing measured, no incident). A text field starting with = + - @ is prefixed with ' so a spreadsheet never
 * runs it as a formula.
 */
export function slaReportCsv(report: SlaReport): string {
  // Quoted like any field: several headers hold a comma ("Mất kết nối, phút (Down, min)"), which unquoted would
  // split into two columns and shift every header after it off its figures.
  const lines = [row(SLA_CSV_HEADER)];
  for (const provider of report.providers) {
    lines.push(row(providerCells(provider)));
    for (const circuit of report.circuits.filter((c) => c.provider === provider.provider)) lines.push(row(circuitCells(circuit)));
  }
  return `${UTF8_BOM}${lines.join("\r\n")}\r\n`;
}

function providerCells(p: SlaProvider): Array<string | number | null> {
  return ["Tổng nhà mạng (provider total)", p.providerName, "", "", "", "", "", p.circuits, ...figureCells(p)];
}

function circuitCells(c: SlaCircuit): Array<string | number | null> {
  return ["Kênh (circuit)", c.provider, c.site, c.siteName, c.link, c.linkKind === "dedicated" ? "TSLCD" : "Internet", c.circuit, 1, ...figureCells(c)];
}

function figureCells(f: SlaFigures): Array<string | number | null> {
  const { allHours: all, officeHours: office, response } = f;
  return [
    pct(f.targetPct),
    pct(all.availabilityPct),
    pct(office.availabilityPct),
    pct(all.coveragePct),
    minutes(all.upMs),
    minutes(all.downMs),
    minutes(all.unknownMs),
    minutes(all.excludedMs),
    f.outages,
    minutes(f.outageMs),
    response.incidents,
    response.acknowledged,
    minutes(response.mttaMs),
    minutes(response.mttrMs),
    f.met === null ? "" : f.met ? "Đạt (yes)" : "Không đạt (no)",
  ];
}

function pct(value: number | null): string {
  return value === null ? "" : value.toFixed(3);
}

function minutes(ms: number | null): string {
  return ms === null ? "" : (ms / 60_000).toFixed(2);
}

function row(cells: ReadonlyArray<string | number | null>): string {
  return cells.map(cell).join(",");
}

function cell(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  // A text a spreadsheet would take for a formula (OWASP's list: = + - @, tab, carriage return) is prefixed with '.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
