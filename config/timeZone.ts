import { z } from "zod";

/** Whether `name` is a time zone this Node (its ICU) knows: formatting a date in it does not throw. */
export function isKnownTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Edit distance (insertions, deletions, substitutions) between `a` and `b`, case-insensitive. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * Current IANA names that ICU still lists under an older one (Intl.supportedValuesOf gives "Asia/Saigon", not
 * "Asia/Ho_Chi_Minh"); suggestions should be the names people write today.
 */
const CURRENT_NAMES = ["Asia/Ho_Chi_Minh", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Yangon", "Europe/Kyiv", "America/Nuuk", "Atlantic/Faroe", "Africa/Asmara", "Pacific/Kanton", "Pacific/Chuuk", "Pacific/Pohnpei"];

/** The known IANA zone closest to `name` (at most 3 edits, or the same city), or null. */
export function closestTimeZone(name: string): string | null {
  const zones = [...CURRENT_NAMES.filter(isKnownTimeZone), ...Intl.supportedValuesOf("timeZone")];
  let best: { zone: string; distance: number } | null = null;
  for (const zone of zones) {
    const distance = editDistance(name, zone);
    if (distance < (best?.distance ?? 4)) best = { zone, distance };
  }
  if (best) return best.zone;
  const city = name.split("/").pop()?.toLowerCase().replace(/[ -]/g, "_");
  return zones.find((zone) => zone.split("/").pop()?.toLowerCase() === city) ?? null;
}

/**
 * An IANA time zone name ("Asia/Ho_Chi_Minh"), checked at load the way it is used later (Intl.DateTimeFormat), so
 * that a typo is a configuration error naming the key rather than an exception in every incident evaluation. The
 * message suggests the closest known zone.
 */
export const timeZoneSchema = z.string().superRefine((name, ctx) => {
  if (isKnownTimeZone(name)) return;
  const suggestion = closestTimeZone(name);
  ctx.addIssue({ code: "custom", message: `unknown time zone '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : " (an IANA name such as Asia/Ho_Chi_Minh)"}` });
});
