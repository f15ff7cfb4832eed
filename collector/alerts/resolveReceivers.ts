import { readFileSync } from "node:fs";
import { ConfigError } from "../../config/loader.js";
import type { SecretRef } from "../../config/alertingSchema.js";
import type { CollectorConfig } from "../../config/collectorSchema.js";
import type { ReceiverConfig, SmtpConfig } from "./notification.js";

/** Reads a secret from its environment variable or file; throws ConfigError naming the key when it is missing. */
export function resolveSecret(ref: SecretRef, key: string, configFile: string): string {
  const problem = (message: string) => new ConfigError([{ file: configFile, line: null, column: null, key, message }]);
  if ("env" in ref) {
    const value = process.env[ref.env];
    if (!value) throw problem(`environment variable ${ref.env} is not set`);
    return value;
  }
  let text: string;
  try {
    text = readFileSync(ref.file, "utf8");
  } catch (err) {
    throw problem(`cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const value = text.split("\n")[0]!.trim();
  if (!value) throw problem(`${ref.file} is empty`);
  return value;
}

/** The receivers with their webhook secrets read, ready for the channels. */
export function resolveReceivers(config: CollectorConfig, configFile: string): ReceiverConfig[] {
  return config.receivers.map((receiver, i) => ({
    id: receiver.id,
    name: receiver.name,
    language: receiver.language,
    webhook: receiver.webhook
      ? { url: receiver.webhook.url, timeoutMs: receiver.webhook.timeoutMs, secret: resolveSecret(receiver.webhook.secret, `receivers[${i}].webhook.secret`, configFile) }
      : null,
    email: receiver.email,
  }));
}

/** The SMTP settings with the password read, or null when e-mail is not configured. */
export function resolveSmtp(config: CollectorConfig, configFile: string): SmtpConfig | null {
  const smtp = config.smtp;
  if (!smtp) return null;
  const password = smtp.password ? resolveSecret(smtp.password, "smtp.password", configFile) : null;
  return {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    from: smtp.from,
    auth: smtp.user && password ? { user: smtp.user, pass: password } : null,
    timeoutMs: smtp.timeoutMs,
  };
}
