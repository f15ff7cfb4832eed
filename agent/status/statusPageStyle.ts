import { SafeHtml } from "./safeHtml.js";

/**
 * The status page's whole stylesheet, inlined (the page must work with every WAN link down, so nothing is fetched).
 * System fonts only; the state colours match the dashboard's: green up, amber degraded, red down, grey unknown.
 */
export const STATUS_PAGE_CSS = new SafeHtml(`
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;color:#1f2937;background:#f3f4f6}
header{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;padding:14px 20px;background:#0f3d6e;color:#fff}
header h1{margin:0;font-size:22px;font-weight:600}
header .sub{margin:2px 0 0;font-size:13px;opacity:.85}
a.lang{color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:4px;padding:4px 10px;text-decoration:none;font-size:13px;white-space:nowrap}
a.lang:hover{background:rgba(255,255,255,.15)}
main{max-width:1200px;margin:0 auto;padding:16px 20px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin-bottom:16px}
h2{margin:0 0 10px;font-size:17px;font-weight:600}
.diagnosis{border-width:2px;border-left-width:8px}
.diagnosis ul{margin:0;padding-left:20px}
.diagnosis li{margin:4px 0;font-size:16px}
.sev-ok{border-color:#16a34a;background:#f0fdf4}
.sev-ok h2{color:#166534}
.sev-warning{border-color:#d97706;background:#fffbeb}
.sev-warning h2{color:#92400e}
.sev-critical{border-color:#dc2626;background:#fef2f2}
.sev-critical h2{color:#991b1b}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:7px 10px;border-bottom:1px solid #e5e7eb}
thead th{font-size:13px;font-weight:600;color:#4b5563;background:#f9fafb;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
.small{font-size:12px;color:#4b5563}
.muted{color:#6b7280}
.nowrap{white-space:nowrap}
.reason{color:#b91c1c}
.bad{color:#b91c1c;font-weight:600}
.empty{margin:0;color:#6b7280}
.legend{margin:6px 0 0;font-size:12px;color:#6b7280}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:13px;font-weight:600;white-space:nowrap}
.st-up{background:#dcfce7;color:#166534}
.st-degraded{background:#fef3c7;color:#92400e}
.st-down{background:#fee2e2;color:#991b1b}
.st-unknown{background:#e5e7eb;color:#374151}
.spark{display:block}
.spark-empty{font-size:12px;color:#6b7280}
table.facts{width:auto}
ul.refused{margin:4px 0 0;padding-left:18px}
table.facts th{font-weight:500;color:#4b5563;padding-right:24px}
@media (max-width:600px){header{padding:10px 12px}main{padding:10px 8px}section{padding:10px}th,td{padding:6px}}
footer{max-width:1200px;margin:0 auto;padding:0 20px 20px;font-size:12px;color:#6b7280}
`);
