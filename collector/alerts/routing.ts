import type { Incident } from "../../protocol/incident.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import { WorkingCalendar, type OfficeTimeCalendar } from "../../config/calendar/workingCalendar.js";

/** Why a receiver gets an incident: the vendor's NOC, a ward IT contact, the provincial team, a routing rule. */
export type ReceiverRole = "vendor" | "ward" | "province" | "rule";

/** One receiver of an incident's report. */
export interface RoutedReceiver {
  receiver: string;
  role: ReceiverRole;
}

/** The parts of the collector configuration routing reads. */
export type RoutingConfig = Pick<CollectorConfig, "providers" | "sites" | "alerting" | "officeHours" | "province">;

/** Incident fields routing reads. */
export type RoutableIncident = Pick<Incident, "kind" | "cause" | "severity" | "provider" | "linkKind" | "sites">;

/**
 * Who gets the report of `incident`, evaluated at `nowMs` (UTC ms; only routing rules with `officeHours` depend on
 * it). Pure. Each receiver appears once, with the first role it was found under, in this order:
 *
 * 1. `province`: every `alerting.provinceReceivers`, always;
 * 2. `vendor`: the `notify` receivers of the provider(s) at fault ({@link vendorReceiversFor}): for kinds `link`
 *    and `provider`, and for a `site` incident whose cause is `links_down_while_silent` (the backfill proved the
 *    circuits failed, so the vendor is told). Never for other site incidents (power, agent) nor the collector;
 * 3. `ward`: the `contacts` of every site of the incident, for kinds `link`, `site` and `provider` (each ward hit by
 *    a provider outage is told, so that its IT does not go looking for a fault of its own);
 * 4. `rule`: the receivers of every `alerting.routes` rule whose given match fields all match: `kind`, `provider`
 *    (the incident's provider; an incident without one does not match a provider list), `site` (any of the
 *    incident's sites), `linkKind` (likewise null never matches), `severity`, `officeHours` (whether `nowMs` is
 *    inside office hours by `calendar`, the province's working calendar: seasons, holidays, substitute and make-up
 *    days; when absent, the weekly office hours of `config` alone).
 */
export function receiversFor(incident: RoutableIncident, config: RoutingConfig, nowMs: number, calendar?: OfficeTimeCalendar): RoutedReceiver[] {
  const routed: RoutedReceiver[] = [];
  const add = (ids: readonly string[], role: ReceiverRole): void => {
    for (const receiver of ids) if (!routed.some((r) => r.receiver === receiver)) routed.push({ receiver, role });
  };

  add(config.alerting.provinceReceivers, "province");
  if (tellsVendor(incident)) add(vendorReceiversFor(incident, config), "vendor");
  if (incident.kind !== "collector") {
    for (const incidentSite of incident.sites) add(config.sites.find((s) => s.id === incidentSite.site)?.contacts ?? [], "ward");
  }
  let officeHours: boolean | undefined;
  for (const route of config.alerting.routes) {
    const { match } = route;
    if (match.kind && !match.kind.includes(incident.kind)) continue;
    if (match.provider && (incident.provider === null || !match.provider.includes(incident.provider))) continue;
    if (match.site && !incident.sites.some((s) => match.site?.includes(s.site))) continue;
    if (match.linkKind && (incident.linkKind === null || !match.linkKind.includes(incident.linkKind))) continue;
    if (match.severity && !match.severity.includes(incident.severity)) continue;
    if (match.officeHours !== undefined) {
      // Computed once, and only when a rule asks: it formats a date in the province's zone.
      officeHours ??= (calendar ?? new WorkingCalendar({ schedule: config.officeHours, timeZone: config.province.timezone })).isOfficeTime(nowMs);
      if (match.officeHours !== officeHours) continue;
    }
    add(route.receivers, "rule");
  }
  return routed;
}

/** Whether the vendor is told about this incident at all (see {@link receiversFor}). */
export function tellsVendor(incident: Pick<Incident, "kind" | "cause">): boolean {
  return incident.kind === "link" || incident.kind === "provider" || (incident.kind === "site" && incident.cause === "links_down_while_silent");
}

/**
 * The vendor receivers of an incident, whatever its kind: the `notify` list of the incident's provider, or, when
 * it names none (a site incident), of the providers of its affected links (of all the site's links when it lists
 * none). Deduplicated, in configuration order.
 */
export function vendorReceiversFor(incident: Pick<Incident, "provider" | "sites">, config: Pick<CollectorConfig, "providers" | "sites">): string[] {
  const providerIds = new Set<string>();
  if (incident.provider !== null) {
    providerIds.add(incident.provider);
  } else {
    for (const incidentSite of incident.sites) {
      const site = config.sites.find((s) => s.id === incidentSite.site);
      if (!site) continue;
      const links = incidentSite.links.length > 0 ? site.links.filter((l) => incidentSite.links.includes(l.id)) : site.links;
      for (const link of links) providerIds.add(link.provider);
    }
  }
  const receivers: string[] = [];
  for (const provider of config.providers) {
    if (!providerIds.has(provider.id)) continue;
    for (const receiver of provider.notify) if (!receivers.includes(receiver)) receivers.push(receiver);
  }
  return receivers;
}
