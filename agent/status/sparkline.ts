import type { HistoryPoint } from "./statusModel.js";
import { formatNumber, type StatusLang } from "./statusFormat.js";
import { html, SafeHtml } from "./safeHtml.js";

/** The sparkline's drawing size, CSS px. */
export const SPARKLINE_WIDTH = 140;
export const SPARKLINE_HEIGHT = 32;

/** The window a sparkline covers, ms (the last hour). */
export const SPARKLINE_WINDOW_MS = 60 * 60 * 1000;

/** Least top of the latency scale, ms: a line of 3–5 ms should look flat, not like a storm. */
const MIN_LATENCY_SCALE_MS = 50;

const PAD = 2;

/**
 * A tiny inline SVG of the last hour before `endTs` (UTC ms): latency (ms) as a blue line scaled to the hour's
 * highest value, broken where nothing answered; loss (%) as red bars from the bottom, full height at 100 %. Its
 * title and aria-label give the hour's latency range and highest loss in words.
 */
export function renderSparkline(history: readonly HistoryPoint[], endTs: number, lang: StatusLang): SafeHtml {
  const startTs = endTs - SPARKLINE_WINDOW_MS;
  const points = history.filter((p) => p.ts >= startTs && p.ts <= endTs);
  if (points.length === 0) {
    return html`<span class="spark-empty">${lang === "vi" ? "Chưa có dữ liệu" : "No data yet"}</span>`;
  }
  const latencies = points.map((p) => p.latencyMs).filter((ms): ms is number => ms !== null);
  const scaleMs = Math.max(MIN_LATENCY_SCALE_MS, ...latencies);
  const plotHeight = SPARKLINE_HEIGHT - 2 * PAD;
  const x = (ts: number) => PAD + ((ts - startTs) / SPARKLINE_WINDOW_MS) * (SPARKLINE_WIDTH - 2 * PAD);
  const yLatency = (ms: number) => PAD + plotHeight - (Math.min(ms, scaleMs) / scaleMs) * plotHeight;
  // Each point gets a bar as wide as the gap to its neighbour would allow, at least 1 px.
  const barWidth = Math.max(1, Math.min(4, (SPARKLINE_WIDTH - 2 * PAD) / Math.max(points.length, 1)));

  let line = "";
  let penDown = false;
  const dots: string[] = [];
  for (const [i, point] of points.entries()) {
    if (point.latencyMs === null) {
      penDown = false;
      continue;
    }
    const px = round(x(point.ts));
    const py = round(yLatency(point.latencyMs));
    line += `${penDown ? "L" : "M"}${px} ${py}`;
    // A lone point between gaps would draw nothing; give it a dot.
    const next = points[i + 1];
    if (!penDown && (next === undefined || next.latencyMs === null)) dots.push(`M${px} ${py}h0.01`);
    penDown = true;
  }
  let bars = "";
  for (const point of points) {
    if (point.lossPct <= 0) continue;
    const barHeight = Math.max(1, (Math.min(point.lossPct, 100) / 100) * plotHeight);
    bars += `M${round(x(point.ts) - barWidth / 2)} ${round(PAD + plotHeight)}h${round(barWidth)}v${round(-barHeight)}h${round(-barWidth)}z`;
  }

  const maxLoss = Math.max(...points.map((p) => p.lossPct));
  const range =
    latencies.length === 0
      ? lang === "vi" ? "không có phản hồi" : "no replies"
      : `${formatNumber(Math.min(...latencies), 0)}–${formatNumber(Math.max(...latencies), 0)} ms`;
  const label =
    lang === "vi"
      ? `1 giờ qua: độ trễ ${range}, tỷ lệ mất gói cao nhất ${formatNumber(maxLoss)}%`
      : `Last hour: latency ${range}, highest packet loss ${formatNumber(maxLoss)}%`;

  return html`<svg class="spark" width="${SPARKLINE_WIDTH}" height="${SPARKLINE_HEIGHT}" viewBox="0 0 ${SPARKLINE_WIDTH} ${SPARKLINE_HEIGHT}" role="img" aria-label="${label}"><title>${label}</title><rect x="0.5" y="0.5" width="${SPARKLINE_WIDTH - 1}" height="${SPARKLINE_HEIGHT - 1}" rx="3" fill="#f8fafc" stroke="#e2e8f0"/>${bars ? html`<path d="${bars}" fill="#dc2626" fill-opacity="0.55"/>` : null}${line ? html`<path d="${line}" fill="none" stroke="#2563eb" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>` : null}${dots.length > 0 ? html`<path d="${dots.join("")}" stroke="#2563eb" stroke-width="3" stroke-linecap="round"/>` : null}</svg>`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
