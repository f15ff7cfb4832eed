import winston from "winston";

const SECRET_KEYS = /token|secret|password|authorization|cookie/i;

/** Replaces the values of keys that look like secrets, at any depth, so they never reach a log line. */
function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, SECRET_KEYS.test(key) ? "[redacted]" : redact(inner, depth + 1)]),
  );
}

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === "level" || key === "message") continue;
    info[key] = SECRET_KEYS.test(key) ? "[redacted]" : redact(info[key]);
  }
  return info;
});

/** Structured JSON logs, one line per event, on stderr; `component` names the daemon ("agent", "collector"). */
export function createLogger(level: string, component: string): winston.Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component },
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ["error", "warn", "info", "debug"] })],
  });
}

/** The logger type the daemons pass around. */
export type Logger = winston.Logger;
