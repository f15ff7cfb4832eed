import type { AgentStatus, AppView, HistoryPoint, LanDeviceView, LinkView } from "../../../agent/status/statusModel.js";

/** 10:00 on 14/11/2025 in UTC+7: the moment every fixture is generated at. */
export const NOW = Date.parse("2025-11-14T10:00:00+07:00");

/** UTC ms of `HH:mm` on 14/11/2025 in UTC+7 (or on `day`, dd/mm/yyyy). */
export function at(clock: string, day = "14/11/2025"): number {
  const [dd, mm, yyyy] = day.split("/");
  return Date.parse(`${yyyy}-${mm}-${dd}T${clock}:00+07:00`);
}

/** An hour of history every minute up to NOW, latency and loss from the callbacks (minute 0 is the oldest). */
export function hourOfHistory(latencyMs: (minute: number) => number | null, lossPct: (minute: number) => number = () => 0): HistoryPoint[] {
  return Array.from({ length: 60 }, (_, minute) => ({ ts: NOW - (59 - minute) * 60_000, latencyMs: latencyMs(minute), lossPct: lossPct(minute) }));
}

/** The TSLCD link (VNPT, circuit DNI-TSL-000123), up since 07:30. */
export function tslcd(overrides: Partial<LinkView> = {}): LinkView {
  return {
    id: "tslcd",
    kind: "dedicated",
    provider: "VNPT",
    circuit: "DNI-TSL-000123",
    boundTo: "eth1",
    state: "up",
    sinceTs: at("07:30"),
    last: { ts: NOW - 10_000, ok: true, latencyMs: 18, lossPct: 0, reason: null },
    history: hourOfHistory((m) => 15 + (m % 7)),
    ...overrides,
  };
}

/** The Viettel Internet link (circuit VT-FTTH-884512), up since 07:30. */
export function viettel(overrides: Partial<LinkView> = {}): LinkView {
  return {
    id: "viettel",
    kind: "internet",
    provider: "Viettel",
    circuit: "VT-FTTH-884512",
    boundTo: "eth2",
    state: "up",
    sinceTs: at("07:30"),
    last: { ts: NOW - 10_000, ok: true, latencyMs: 32, lossPct: 0, reason: null },
    history: hourOfHistory((m) => 28 + (m % 11)),
    ...overrides,
  };
}

/** A down link's last round. */
export const LOST_ROUND = { ts: NOW - 10_000, ok: false, latencyMs: null, lossPct: 100, reason: "100% packet loss" } as const;

/** Một cửa điện tử, up over both links unless `paths` says otherwise. */
export function motCua(paths: Partial<Record<"tslcd" | "viettel", Partial<AppView["paths"][number]>>> = {}): AppView {
  return {
    id: "motcua",
    name: "Một cửa điện tử",
    target: "https://motcua.dongnai.example/",
    paths: (["tslcd", "viettel"] as const).map((link) => ({
      link,
      state: "up" as const,
      sinceTs: at("07:30"),
      last: { ts: NOW - 10_000, ok: true, latencyMs: 120, lossPct: 0, reason: null },
      ...paths[link],
    })),
  };
}

/** The gate camera on the LAN, up. */
export function camera(overrides: Partial<LanDeviceView> = {}): LanDeviceView {
  return {
    id: "cam-cong",
    name: "Camera cổng",
    target: "192.168.1.20",
    state: "up",
    sinceTs: at("07:30"),
    last: { ts: NOW - 10_000, ok: true, latencyMs: 1, lossPct: 0, reason: null },
    ...overrides,
  };
}

/** A healthy site: both links, one application, one camera, an empty spool, pushes working. */
export function healthySite(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    site: "dn-phuong-tran-bien",
    siteName: "UBND phường Trấn Biên",
    generatedAt: NOW,
    links: [tslcd(), viettel()],
    apps: [motCua()],
    lan: [camera()],
    spool: { pendingRecords: 0, droppedRecords: 0, bytes: 4096, refusedRecords: 0, recentRefused: [] },
    uplink: { lastPushOkTs: NOW - 15_000, lastError: null, consecutiveFailures: 0, collectorUrl: "https://10.10.0.5:8443", viaLink: "tslcd" },
    ...overrides,
  };
}
