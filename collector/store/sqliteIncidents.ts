import type Database from "better-sqlite3";
import type { DeliveryAttempt, IncidentCause, IncidentKind, IncidentTimeline } from "../../protocol/incident.js";
import { openedIncidentBody, type IncidentBody, type IncidentChanges, type IncidentQuery, type IncidentStore, type IncidentTimes, type IncidentWindow, type NewIncident, type StoredIncident } from "../incidents/incidentStore.js";
import { incidentNumber } from "../incidents/incidentNumber.js";

/**
 * Incidents and delivery attempts in the collector's SQLite file. The changing fields live in one JSON column;
 * a partial unique index keeps one open incident per key.
 */
export class SqliteIncidentStore implements IncidentStore {
  private readonly insert: Database.Statement;
  private readonly update: Database.Statement;
  private readonly selectOne: Database.Statement;
  private readonly selectOpen: Database.Statement;
  private readonly selectProviderTimes: Database.Statement;
  private readonly selectStartedIn: Database.Statement;
  private readonly insertDelivery: Database.Statement;
  private readonly selectDeliveries: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare("INSERT INTO incidents (key, state, body_json, start_ts) VALUES (?, 'open', ?, ?)");
    this.update = db.prepare("UPDATE incidents SET state = ?, body_json = ?, end_ts = ? WHERE id = ?");
    this.selectOne = db.prepare("SELECT * FROM incidents WHERE id = ?");
    this.selectOpen = db.prepare("SELECT * FROM incidents WHERE state = 'open' ORDER BY id");
    // A range on the incidents_start_ts index, read backwards, stopping after @limit rows; only the needed fields.
    this.selectProviderTimes = db.prepare(
      `SELECT id, state, json_extract(body_json, '$.kind') AS kind, json_extract(body_json, '$.cause') AS cause,
              json_extract(body_json, '$.provider') AS provider, json_extract(body_json, '$.providerName') AS provider_name,
              json_extract(body_json, '$.mergedInto') AS merged_into, json_extract(body_json, '$.timeline') AS timeline_json
         FROM incidents
        WHERE start_ts >= @fromTs AND start_ts < @toTs AND json_extract(body_json, '$.provider') IS NOT NULL
        ORDER BY start_ts DESC, id DESC
        LIMIT @limit`,
    );
    // For SLA reports (collector/sla/): every kind, on the incidents_start_ts index, without the deliveries.
    this.selectStartedIn = db.prepare("SELECT id, state, body_json FROM incidents WHERE start_ts >= @fromTs AND start_ts < @toTs ORDER BY start_ts, id LIMIT @limit");
    this.insertDelivery = db.prepare("INSERT INTO deliveries (incident_id, ts, body_json) VALUES (?, ?, ?)");
    this.selectDeliveries = db.prepare("SELECT body_json FROM deliveries WHERE incident_id = ? ORDER BY ts, rowid");
  }

  openIncident(incident: NewIncident): StoredIncident {
    const body = openedIncidentBody(incident);
    const id = Number(this.insert.run(incident.key, JSON.stringify(body), incident.startTs).lastInsertRowid);
    return this.getIncident(id)!;
  }

  updateIncident(id: number, changes: IncidentChanges): StoredIncident | null {
    const current = this.getIncident(id);
    if (!current) return null;
    const { id: _id, key: _key, state: _state, deliveries: _deliveries, number: _number, ...body } = current;
    const next: IncidentBody = {
      ...body,
      cause: changes.cause ?? body.cause,
      provider: changes.provider ?? body.provider,
      providerName: changes.providerName ?? body.providerName,
      severity: changes.severity ?? body.severity,
      sites: changes.sites ?? body.sites,
      summary: changes.summary ?? body.summary,
      evidence: changes.evidence ?? body.evidence,
      vendorTicket: changes.vendorTicket ?? body.vendorTicket,
      acknowledgedBy: changes.acknowledgedBy ?? body.acknowledgedBy,
      mergedInto: changes.mergedInto ?? body.mergedInto,
      scopeChangedTs: changes.scopeChangedTs ?? body.scopeChangedTs,
      timeline: {
        ...body.timeline,
        notifiedTs: body.timeline.notifiedTs ?? changes.notifiedTs ?? null,
        acknowledgedTs: body.timeline.acknowledgedTs ?? changes.acknowledgedTs ?? null,
        restoredTs: changes.restoredTs ?? body.timeline.restoredTs,
        endTs: changes.endTs ?? body.timeline.endTs,
      },
    };
    const state = next.timeline.endTs === null ? "open" : "closed";
    this.update.run(state, JSON.stringify(next), next.timeline.endTs, id);
    return this.getIncident(id);
  }

  getIncident(id: number): StoredIncident | null {
    const row = this.selectOne.get(id) as IncidentRow | undefined;
    return row ? this.toIncident(row) : null;
  }

  listIncidents(query: IncidentQuery): StoredIncident[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.min(query.limit ?? 200, 1000) };
    if (query.state) {
      where.push("state = @state");
      params.state = query.state;
    }
    if (query.kind) {
      where.push("json_extract(body_json, '$.kind') = @kind");
      params.kind = query.kind;
    }
    if (query.provider) {
      where.push("json_extract(body_json, '$.provider') = @provider");
      params.provider = query.provider;
    }
    if (query.site) {
      where.push("EXISTS (SELECT 1 FROM json_each(body_json, '$.sites') WHERE json_extract(value, '$.site') = @site)");
      params.site = query.site;
    }
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as IncidentRow[]).map((row) => this.toIncident(row));
  }

  openIncidents(): StoredIncident[] {
    return (this.selectOpen.all() as IncidentRow[]).map((row) => this.toIncident(row));
  }

  providerIncidentTimes(window: IncidentWindow): IncidentTimes[] {
    const rows = this.selectProviderTimes.all({ fromTs: window.fromTs, toTs: window.toTs, limit: window.limit }) as IncidentTimesRow[];
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      cause: row.cause,
      state: row.state === "open" ? "open" : "closed",
      provider: row.provider,
      providerName: row.provider_name,
      mergedInto: row.merged_into,
      timeline: JSON.parse(row.timeline_json) as IncidentTimeline,
    }));
  }

  /**
   * The incidents whose startTs is in [fromTs, toTs) (UTC ms), earliest first, at most `limit`: classification, vendor,
   * sites and timeline (collector/sla/slaIncidents.ts), not their deliveries.
   */
  incidentsStartedIn(window: IncidentWindow): Array<Pick<StoredIncident, "id" | "kind" | "cause" | "state" | "provider" | "providerName" | "mergedInto" | "sites" | "timeline">> {
    const rows = this.selectStartedIn.all({ fromTs: window.fromTs, toTs: window.toTs, limit: window.limit }) as Array<{ id: number; state: string; body_json: string }>;
    return rows.map((row) => {
      const body = JSON.parse(row.body_json) as IncidentBody;
      return { id: row.id, kind: body.kind, cause: body.cause, state: row.state === "open" ? "open" : "closed", provider: body.provider, providerName: body.providerName, mergedInto: body.mergedInto, sites: body.sites, timeline: body.timeline };
    });
  }

  recordDelivery(incidentId: number, attempt: DeliveryAttempt): void {
    this.insertDelivery.run(incidentId, attempt.ts, JSON.stringify(attempt));
  }

  private toIncident(row: IncidentRow): StoredIncident {
    const body = JSON.parse(row.body_json) as IncidentBody;
    const deliveries = (this.selectDeliveries.all(row.id) as Array<{ body_json: string }>).map((d) => JSON.parse(d.body_json) as DeliveryAttempt);
    return { ...body, id: row.id, number: incidentNumber(row.id), key: row.key, state: row.state === "open" ? "open" : "closed", deliveries };
  }
}

interface IncidentRow {
  id: number;
  key: string;
  state: string;
  body_json: string;
}

interface IncidentTimesRow {
  id: number;
  state: string;
  kind: IncidentKind;
  cause: IncidentCause;
  provider: string | null;
  provider_name: string | null;
  merged_into: number | null;
  timeline_json: string;
}
