import { closeSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";

/** Bytes before each record's payload: u32 LE payload length, then u32 LE CRC-32 of the payload. */
export const RECORD_HEADER_BYTES = 8;

/** Largest payload the u32 length field can describe, in bytes. */
export const MAX_RECORD_PAYLOAD_BYTES = 0xffff_ffff;

const SEGMENT_NAME = /^segment-(\d{12,})\.log$/;

// Reads start small (a reader asking for a few records should not pull a whole segment) and
// grow while the caller keeps consuming, so a long sequential scan needs few system calls.
const FIRST_READ_BYTES = 16 * 1024;
const MAX_READ_BYTES = 1024 * 1024;

/**
 * File name of the segment whose first record has sequence number `firstSeq`:
 * `segment-000000000001.log`. Zero-padded so names sort lexically in sequence order.
 */
export function segmentFileName(firstSeq: number): string {
  return `segment-${String(firstSeq).padStart(12, "0")}.log`;
}

/** The first sequence number encoded in a segment file name, or null if `name` is not a segment file. */
export function parseSegmentFileName(name: string): number | null {
  const match = SEGMENT_NAME.exec(name);
  if (!match?.[1]) return null;
  const firstSeq = Number(match[1]);
  return Number.isSafeInteger(firstSeq) && firstSeq >= 1 ? firstSeq : null;
}

/**
 * Frames one record for appending to a segment: `[u32 LE length][u32 LE crc32][payload]`, the payload
 * being the UTF-8 JSON `{"seq":N,"body":...}`. Throws TypeError when `body` has no JSON form
 * (undefined, a function, a symbol) or cannot be serialised (BigInt, cycles).
 */
export function encodeRecord(seq: number, body: unknown): Buffer {
  const bodyJson = JSON.stringify(body);
  if (bodyJson === undefined) throw new TypeError(`spool record ${seq}: body has no JSON representation`);
  const payload = Buffer.from(`{"seq":${seq},"body":${bodyJson}}`, "utf8");
  if (payload.length > MAX_RECORD_PAYLOAD_BYTES) throw new RangeError(`spool record ${seq}: payload exceeds 4 GiB`);
  const frame = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, RECORD_HEADER_BYTES);
  return frame;
}

/** One intact record read from a segment, with its byte position: `offset` ≤ record < `nextOffset`. */
export interface SegmentRecordEntry {
  kind: "record";
  seq: number;
  body: unknown;
  offset: number;
  nextOffset: number;
}

/**
 * Where a segment stops being readable: the record starting at byte `offset` is torn or corrupt
 * (`reason` says how). Nothing at or after `offset` in the segment can be trusted.
 */
export interface SegmentCorruptionEntry {
  kind: "corrupt";
  offset: number;
  reason: string;
}

/** What {@link readSegmentEntries} yields. */
export type SegmentEntry = SegmentRecordEntry | SegmentCorruptionEntry;

/**
 * Reads a segment file's records in file order from byte `startOffset` (which must be a record
 * boundary) up to byte `endOffset`, checking each record's framing, CRC and JSON. Yields each intact
 * record; on the first torn or corrupt record yields one corruption entry and stops. The file is read
 * lazily and closed when the iteration ends or is abandoned. Throws only on I/O errors (e.g. ENOENT).
 */
export function* readSegmentEntries(path: string, startOffset: number, endOffset: number): Generator<SegmentEntry, void, undefined> {
  const fd = openSync(path, "r");
  try {
    const reader = new ChunkedFileReader(fd, endOffset);
    let offset = startOffset;
    while (offset < endOffset) {
      const bytesLeft = endOffset - offset;
      if (bytesLeft < RECORD_HEADER_BYTES) {
        yield { kind: "corrupt", offset, reason: `record header truncated: ${bytesLeft} of ${RECORD_HEADER_BYTES} bytes` };
        return;
      }
      const header = reader.bytesAt(offset, RECORD_HEADER_BYTES);
      if (header.length < RECORD_HEADER_BYTES) {
        yield { kind: "corrupt", offset, reason: "file ended inside a record header" };
        return;
      }
      const payloadBytes = header.readUInt32LE(0);
      const expectedCrc = header.readUInt32LE(4);
      if (payloadBytes > bytesLeft - RECORD_HEADER_BYTES) {
        yield { kind: "corrupt", offset, reason: `record length ${payloadBytes} exceeds the ${bytesLeft - RECORD_HEADER_BYTES} bytes left` };
        return;
      }
      const payload = reader.bytesAt(offset + RECORD_HEADER_BYTES, payloadBytes);
      if (payload.length < payloadBytes) {
        yield { kind: "corrupt", offset, reason: "file ended inside a record payload" };
        return;
      }
      if (crc32(payload) !== expectedCrc) {
        yield { kind: "corrupt", offset, reason: "crc32 mismatch" };
        return;
      }
      const decoded = decodePayload(payload);
      if (typeof decoded === "string") {
        yield { kind: "corrupt", offset, reason: decoded };
        return;
      }
      const nextOffset = offset + RECORD_HEADER_BYTES + payloadBytes;
      yield { kind: "record", seq: decoded.seq, body: decoded.body, offset, nextOffset };
      offset = nextOffset;
    }
  } finally {
    closeSync(fd);
  }
}

/** Parses a payload into seq and body, or returns why it is not a valid record. */
function decodePayload(payload: Buffer): { seq: number; body: unknown } | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch (err) {
    return `payload is not valid JSON: ${(err as Error).message}`;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return "payload is not a JSON object";
  const { seq } = parsed as { seq?: unknown };
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return "payload has no positive integer seq";
  if (!("body" in parsed)) return "payload has no body";
  return { seq, body: (parsed as { body: unknown }).body };
}

/** Serves byte ranges of a file from a read-ahead buffer, never reading past `endOffset`. */
class ChunkedFileReader {
  private chunk = Buffer.alloc(0);
  private chunkOffset = 0;
  private nextReadBytes = FIRST_READ_BYTES;

  constructor(
    private readonly fd: number,
    private readonly endOffset: number,
  ) {}

  /** Bytes [offset, offset + length); shorter only if the file ends early. The result may share memory with the buffer. */
  bytesAt(offset: number, length: number): Buffer {
    const chunkEnd = this.chunkOffset + this.chunk.length;
    if (offset >= this.chunkOffset && offset + length <= chunkEnd) {
      return this.chunk.subarray(offset - this.chunkOffset, offset - this.chunkOffset + length);
    }
    const readBytes = Math.min(this.endOffset - offset, Math.max(length, this.nextReadBytes));
    this.nextReadBytes = Math.min(this.nextReadBytes * 2, MAX_READ_BYTES);
    const buffer = Buffer.allocUnsafe(readBytes);
    let filled = 0;
    while (filled < readBytes) {
      const got = readSync(this.fd, buffer, filled, readBytes - filled, offset + filled);
      if (got === 0) break;
      filled += got;
    }
    this.chunk = buffer.subarray(0, filled);
    this.chunkOffset = offset;
    return this.chunk.subarray(0, Math.min(length, filled));
  }
}
