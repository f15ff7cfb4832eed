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

/**
 * Longest time zone name checked, characters: the longest IANA name is 32 ("America/Argentina/ComodRivadavia"), so a
 * longer value is not a zone, and is neither echoed in full nor compared with every zone.
 */
export const MAX_TIME_ZONE_CHARS = 64;

/**
 * What people write for Vietnam's zone (UTC+7) instead of its IANA name, by {@link aliasKey}: the capital (there is
 * no Asia/Hanoi), the city's other spellings, the offset and the abbreviation. Edit distance would offer
 * Asia/Yangon (UTC+6:30) for Asia/Hanoi.
 */
const VIETNAM_ALIASES = [
  ...["hanoi", "hcm", "hcmc", "hochiminh", "hochiminhcity", "thanhphohochiminh", "tphcm", "saigon", "vietnam", "ict", "indochinatime"],
  ...["utc7", "utc07", "utc0700", "gmt7", "gmt07", "gmt0700", "7", "07", "0700"],
];

/** `name` lower-cased without its region ("Asia/"), spaces, '_', '-', '+', ':' and Vietnamese diacritics. */
function aliasKey(name: string): string {
  const withoutRegion = /^(asia|etc)\//i.test(name) ? name.replace(/^[^/]*\//, "") : name;
  return withoutRegion
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/đ/gi, "d")
    .toLowerCase()
    .replace(/[\s_+:.-]/g, "");
}

/**
 * The zone `name` was probably meant to be, or null: Asia/Ho_Chi_Minh for the spellings of Vietnam's zone (see
 * {@link VIETNAM_ALIASES}), else the known IANA zone closest to it (at most 3 edits, or the same city).
 */
export function closestTimeZone(name: string): string | null {
  if (name.length > MAX_TIME_ZONE_CHARS) return null;
  if (VIETNAM_ALIASES.includes(aliasKey(name))) return "Asia/Ho_Chi_Minh";
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
  if (name.length > MAX_TIME_ZONE_CHARS) {
    ctx.addIssue({ code: "custom", message: `not a time zone (${name.length} characters; IANA names such as Asia/Ho_Chi_Minh are at most ${MAX_TIME_ZONE_CHARS})` });
    return;
  }
  if (isKnownTimeZone(name)) return;
  const suggestion = closestTimeZone(name);
  ctx.addIssue({ code: "custom", message: `unknown time zone '${name}'${suggestion ? ` (did you mean ${suggestion}?)` : " (an IANA name such as Asia/Ho_Chi_Minh)"}` });
});
