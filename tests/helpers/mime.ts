/**
 * Just enough MIME decoding to read what nodemailer sends, written independently of nodemailer so tests check
 * the bytes on the wire rather than the encoder against itself: unfolded headers, RFC 2047 encoded words
 * (B and Q, UTF-8), multipart bodies, quoted-printable and base64 parts. Not a general mail parser.
 */

/** A parsed message or body part. `headers`: lower-case names, unfolded raw values, first occurrence wins. */
export interface MimeEntity {
  headers: Record<string, string>;
  /** The decoded body of a leaf part (empty for a multipart). */
  body: string;
  parts: MimeEntity[];
}

/** Parses a raw message (CRLF or LF line ends). */
export function parseMime(raw: string): MimeEntity {
  const text = raw.replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const headerText = split === -1 ? text : text.slice(0, split);
  const bodyText = split === -1 ? "" : text.slice(split + 2);
  const headers: Record<string, string> = {};
  for (const line of headerText.replace(/\n[ \t]+/g, " ").split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }

  const contentType = headers["content-type"] ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (/^multipart\//i.test(contentType) && boundary) {
    const sections = bodyText.split(`--${boundary}`);
    // Drop the preamble and everything from the closing delimiter ("--boundary--") on.
    const parts = sections.slice(1).filter((section) => !section.startsWith("--")).map((section) => parseMime(section.replace(/^\n/, "")));
    return { headers, body: "", parts };
  }
  return { headers, body: decodeTransfer(bodyText, headers["content-transfer-encoding"] ?? "7bit"), parts: [] };
}

/** The first leaf part with this content type (e.g. "text/plain"), depth first, or undefined. */
export function findPart(entity: MimeEntity, contentType: string): MimeEntity | undefined {
  if (entity.parts.length === 0) return (entity.headers["content-type"] ?? "text/plain").toLowerCase().startsWith(contentType) ? entity : undefined;
  for (const part of entity.parts) {
    const found = findPart(part, contentType);
    if (found) return found;
  }
  return undefined;
}

/** Decodes RFC 2047 encoded words in a header value; adjacent words are joined before decoding (split characters). */
export function decodeHeaderWords(value: string): string {
  const encodedWord = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let out = "";
  let pending: Buffer[] = [];
  let last = 0;
  for (const match of value.matchAll(encodedWord)) {
    const between = value.slice(last, match.index);
    // Whitespace between two encoded words is not part of the text.
    if (pending.length === 0 || between.trim() !== "") {
      out += Buffer.concat(pending).toString("utf8") + between;
      pending = [];
    }
    const [, , encoding = "", payload = ""] = match;
    pending.push(encoding.toUpperCase() === "B" ? Buffer.from(payload, "base64") : qpBytes(payload.replace(/_/g, " ")));
    last = match.index + match[0].length;
  }
  return out + Buffer.concat(pending).toString("utf8") + value.slice(last);
}

function decodeTransfer(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case "base64":
      return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
    case "quoted-printable":
      return qpBytes(body.replace(/=\n/g, "")).toString("utf8");
    default:
      return body;
  }
}

function qpBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === "=" ? text.slice(i + 1, i + 3) : "";
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes);
}
