import { describe, expect, it } from "vitest";
import { mutingWindow } from "../../../collector/alerts/maintenance.js";
import type { MaintenanceWindow } from "../../../config/collectorSchema.js";
import type { IncidentSite } from "../../../protocol/incident.js";

const START = Date.parse("2026-12-01T22:00:00+07:00");
const END = Date.parse("2026-12-02T02:00:00+07:00");
const INSIDE = START + 3_600_000;

function window(changes: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return { id: "vnpt-upgrade", provider: "vnpt", sites: null, startTs: START, endTs: END, reason: "Nâng cấp thiết bị", ...changes };
}

function site(id: string): IncidentSite {
  return { site: id, siteName: id, links: ["tslcd"] };
}

const vnptAtTanPhong = { provider: "vnpt", sites: [site("tan-phong")] };

describe("maintenance", () => {
  it("mutes an incident of the window's provider while the window lasts", () => {
    const w = window();
    expect(mutingWindow(vnptAtTanPhong, [w], INSIDE)).toBe(w);
    expect(mutingWindow(vnptAtTanPhong, [w], START)).toBe(w);
  });

  it("does not mute before the window nor from its end on", () => {
    expect(mutingWindow(vnptAtTanPhong, [window()], START - 1)).toBeNull();
    expect(mutingWindow(vnptAtTanPhong, [window()], END)).toBeNull();
  });

  it("does not mute another provider's incident, nor one without a provider", () => {
    expect(mutingWindow({ provider: "viettel", sites: [site("tan-phong")] }, [window()], INSIDE)).toBeNull();
    expect(mutingWindow({ provider: null, sites: [site("tan-phong")] }, [window()], INSIDE)).toBeNull();
  });

  it("with sites named, mutes only when every site of the incident is among them", () => {
    const w = window({ sites: ["tan-phong", "bien-hoa"] });
    expect(mutingWindow(vnptAtTanPhong, [w], INSIDE)).toBe(w);
    expect(mutingWindow({ provider: "vnpt", sites: [site("tan-phong"), site("bien-hoa")] }, [w], INSIDE)).toBe(w);
    expect(mutingWindow({ provider: "vnpt", sites: [site("tan-phong"), site("nhon-trach")] }, [w], INSIDE)).toBeNull();
  });

  it("a window naming only sites mutes any provider's incident there, but not one with no sites", () => {
    const w = window({ provider: null, sites: ["tan-phong"] });
    expect(mutingWindow({ provider: null, sites: [site("tan-phong")] }, [w], INSIDE)).toBe(w);
    expect(mutingWindow({ provider: "viettel", sites: [site("tan-phong")] }, [w], INSIDE)).toBe(w);
    expect(mutingWindow({ provider: null, sites: [] }, [w], INSIDE)).toBeNull();
  });

  it("picks the first matching window, and none from an empty list", () => {
    const other = window({ id: "viettel", provider: "viettel" });
    const global = window({ id: "all", provider: null });
    expect(mutingWindow(vnptAtTanPhong, [other, global, window()], INSIDE)).toBe(global);
    expect(mutingWindow(vnptAtTanPhong, [], INSIDE)).toBeNull();
  });
});
