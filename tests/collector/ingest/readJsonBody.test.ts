import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer, type Server } from "node:http";
import { deflateSync, gzipSync } from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonErrorHandler } from "../../../collector/api/httpErrors.js";
import { INFLATED_ON_LOOP_MAX_BYTES, INFLATE_ON_LOOP_MAX_BYTES, readJsonBody } from "../../../collector/ingest/readJsonBody.js";

const LIMIT = 64 * 1024;

/** A real HTTP server whose one route echoes the body readJsonBody read, with the API's error handler. */
describe("readJsonBody over real HTTP", () => {
  let server: Server;
  let url: string;
  const unexpected: unknown[] = [];

  beforeAll(async () => {
    const app = express();
    app.post("/echo", readJsonBody(LIMIT), (req, res) => res.json({ body: req.body as unknown }));
    app.post("/echo-big", readJsonBody(4 * 1024 * 1024), (req, res) => res.json({ length: JSON.stringify(req.body).length }));
    app.use(jsonErrorHandler((err) => unexpected.push(err)));
    server = createServer(app).listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (body: Buffer | string, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });
    return { status: res.status, json: (await res.json()) as { body?: unknown; error?: string; message?: string } };
  };

  it("reads identity, gzip and deflate bodies", async () => {
    const value = { site: "tan-phong", samples: [1, 2, 3] };
    const text = JSON.stringify(value);
    expect(await post(text)).toEqual({ status: 200, json: { body: value } });
    expect(await post(gzipSync(text), { "Content-Encoding": "gzip" })).toEqual({ status: 200, json: { body: value } });
    expect(await post(deflateSync(text), { "Content-Encoding": "deflate" })).toEqual({ status: 200, json: { body: value } });
  });

  it("drops a leading byte-order mark", async () => {
    expect(await post("\uFEFF{\"a\":1}")).toEqual({ status: 200, json: { body: { a: 1 } } });
  });

  it("inflates a small body that grows past what the loop inflates on the thread pool, up to the limit", async () => {
    const padded = `[${" ".repeat(INFLATED_ON_LOOP_MAX_BYTES * 2)}1]`;
    const body = gzipSync(padded);
    expect(body.length).toBeLessThan(INFLATE_ON_LOOP_MAX_BYTES);
    const res = await fetch(url.replace("/echo", "/echo-big"), { method: "POST", body, headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" } });
    expect({ status: res.status, json: await res.json() }).toEqual({ status: 200, json: { length: 3 } });
  });

  it("inflates a body too large for the loop on the thread pool, to the same value", async () => {
    // Random strings do not compress: the gzip body is well over the on-loop size.
    const value = { samples: Array.from({ length: 3000 }, () => randomBytes(6).toString("hex")) };
    const body = gzipSync(JSON.stringify(value));
    expect(body.length).toBeGreaterThan(INFLATE_ON_LOOP_MAX_BYTES);
    expect(await post(body, { "Content-Encoding": "gzip" })).toEqual({ status: 200, json: { body: value } });
  });

  it.each([
    ["an unknown encoding", () => post("{}", { "Content-Encoding": "br" }), 415, "unsupported_encoding"],
    ["another charset", () => post("{}", { "Content-Type": "application/json; charset=latin1" }), 415, "unsupported_charset"],
    ["JSON that is not an object or an array", () => post("123"), 400, "malformed_json"],
    ["an empty body", () => post(""), 400, "malformed_json"],
    ["broken JSON", () => post('{"a":'), 400, "malformed_json"],
    ["a body that is not gzip", () => post("not gzip", { "Content-Encoding": "gzip" }), 400, "bad_body"],
    ["a plain body over the limit", () => post(JSON.stringify({ a: "x".repeat(LIMIT) })), 413, "body_too_large"],
    ["a small gzip body inflating past the limit", () => post(gzipSync(`[${" ".repeat(LIMIT)}]`), { "Content-Encoding": "gzip" }), 413, "body_too_large"],
    ["a big gzip body inflating past the limit", () => post(gzipSync(Buffer.alloc(50 * 1024 * 1024, " ")), { "Content-Encoding": "gzip" }), 413, "body_too_large"],
  ] as const)("refuses %s with a named error", async (_name, send, status, error) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.json.error).toBe(error);
    expect(unexpected).toEqual([]);
  });

  it("keeps serving after a client that gives up mid-body", async () => {
    const { request } = await import("node:http");
    const req = request(url, { method: "POST", headers: { "Content-Length": "1000", "Content-Type": "application/json" } });
    req.on("error", () => {});
    req.write('{"a":');
    await new Promise((resolve) => setImmediate(resolve));
    req.destroy();
    expect(await post("[1]")).toEqual({ status: 200, json: { body: [1] } });
    expect(unexpected).toEqual([]);
  });
});
