/**
 * The shape of one simulated commune/ward site: its two WAN links (a TSLCD dedicated line and an Internet line)
 * with their ICMP targets, the applications it probes over each link (http), its LAN devices (tcp), and which links
 * are told to fail when. Every address is a documentation address (RFC 5737) and every name ends in `.example`.
 */
import { seededRandom } from "./seededRandom.js";

/** The link ids every simulated site has; a collector serving simulated sites configures these two links. */
export const SIMULATED_LINKS = ["tslcd", "inet"] as const;

/** Id of a simulated link. */
export type SimulatedLinkId = (typeof SIMULATED_LINKS)[number];

/** One WAN link of a simulated site: its ICMP targets and its typical round-trip time, ms. */
export interface SimulatedLink {
  id: SimulatedLinkId;
  /** ICMP targets probed every round (one sample each, one round of the link). */
  icmpTargets: string[];
  /** Typical rtt and its spread, ms: the dedicated line is short and steady, the Internet line longer and noisier. */
  rttBaseMs: number;
  rttJitterMs: number;
}

/** An application probed over every link (one http sample per link per round). */
export interface SimulatedApp {
  id: string;
  url: string;
}

/** A device on the site's LAN (one tcp sample per round, `link` null). */
export interface SimulatedLanDevice {
  id: string;
  /** host:port */
  target: string;
}

/** A time range (UTC ms) during which one link's rounds all fail; `untilTs` null: still failing. */
export interface LinkFailure {
  link: SimulatedLinkId;
  fromTs: number;
  untilTs: number | null;
}

/** A simulated site: what it probes, and the seed its values come from. Every round probes everything once. */
export interface SiteModel {
  id: string;
  /** Seed of this site's values (see seededRandom.ts periodSeed). */
  seed: number;
  links: SimulatedLink[];
  apps: SimulatedApp[];
  lan: SimulatedLanDevice[];
  /** Samples one round period produces: every ICMP target, every app over every link, every LAN device. */
  samplesPerPeriod: number;
  /** Failures the site was told about, oldest first; see {@link failLink}. */
  failures: LinkFailure[];
}

const APP_CATALOGUE: readonly SimulatedApp[] = [
  { id: "motcua", url: "https://motcua.tinh.example/" },
  { id: "dichvucong", url: "https://dichvucong.tinh.example/portal" },
  { id: "email", url: "https://mail.tinh.example/owa/" },
];

/** The site id of simulated site number `index` (0-based): `ward-0001`, `ward-0002`, … */
export function simulatedSiteId(index: number): string {
  return `ward-${String(index + 1).padStart(4, "0")}`;
}

/**
 * Simulated site number `index` (0-based) of a run seeded with `runSeed`: 2–3 ICMP targets per link, 2–3 apps, 1–2
 * LAN devices, drawn from the seed, so about 9–14 samples per round period.
 */
export function buildSiteModel(index: number, runSeed: number): SiteModel {
  const seed = (runSeed ^ Math.imul(index + 1, 0x27d4eb2d)) >>> 0;
  const random = seededRandom(seed);
  const pick = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
  const host = (index % 250) + 1;
  const tslcdTargets = pick(2, 3);
  const inetTargets = pick(2, 3);
  const links: SimulatedLink[] = [
    { id: "tslcd", icmpTargets: ["192.0.2.1", "192.0.2.2", "192.0.2.3"].slice(0, tslcdTargets), rttBaseMs: 6 + random() * 6, rttJitterMs: 2 + random() * 3 },
    { id: "inet", icmpTargets: ["198.51.100.1", "198.51.100.2", "203.0.113.1"].slice(0, inetTargets), rttBaseMs: 18 + random() * 15, rttJitterMs: 8 + random() * 10 },
  ];
  const apps = APP_CATALOGUE.slice(0, pick(2, 3)).map((app) => ({ ...app }));
  const lan = [{ id: "camera-1", target: `192.0.2.${host}:554` }, { id: "printer", target: `203.0.113.${host}:9100` }].slice(0, pick(1, 2));
  const samplesPerPeriod = tslcdTargets + inetTargets + apps.length * links.length + lan.length;
  return { id: simulatedSiteId(index), seed, links, apps, lan, samplesPerPeriod, failures: [] };
}

/** From `fromTs` (UTC ms) every round of `link` fails (no ICMP reply, apps over it time out) until {@link restoreLink}. */
export function failLink(site: SiteModel, link: SimulatedLinkId, fromTs: number): void {
  if (site.failures.some((f) => f.link === link && f.untilTs === null)) return;
  site.failures.push({ link, fromTs, untilTs: null });
}

/** Ends the open failure of `link` at `untilTs` (UTC ms); rounds from then on succeed. No failure open: nothing. */
export function restoreLink(site: SiteModel, link: SimulatedLinkId, untilTs: number): void {
  const open = site.failures.find((f) => f.link === link && f.untilTs === null);
  if (open) open.untilTs = untilTs;
}

/** Whether `link`'s round starting at `ts` (UTC ms) fails. */
export function linkFailsAt(site: SiteModel, link: SimulatedLinkId, ts: number): boolean {
  return site.failures.some((f) => f.link === link && ts >= f.fromTs && (f.untilTs === null || ts < f.untilTs));
}
