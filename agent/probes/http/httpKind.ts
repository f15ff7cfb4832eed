/** The HTTP(S) kind as the registry lists it: its YAML schema, its probe and the mapping to the protocol's http sample. */
import { defineProbeKind, type SampleFields } from "../probe.js";
import { httpProbeSchema, probeHttp, type HttpRoundResult } from "./http.js";

/** Most redirects an http sample may report (protocol/sample.ts); the config's max_redirects stays below it. */
const MAX_SAMPLE_REDIRECTS = 100;

/** The http sample's fields from one round: phase times in ms, status, certificate days left, redirects (≤ 100). Pure. */
export function httpSampleFields(result: HttpRoundResult): SampleFields<"http"> {
  const { statusCode, dnsMs, connectMs, tlsMs, firstByteMs, totalMs, certDaysLeft, bodyBytes } = result;
  return {
    kind: "http",
    statusCode,
    dnsMs,
    connectMs,
    tlsMs,
    firstByteMs,
    totalMs,
    certDaysLeft,
    redirects: Math.min(result.redirects, MAX_SAMPLE_REDIRECTS),
    bodyBytes,
  };
}

/** `kind: http`: one probeHttp per round. */
export const httpProbeKind = defineProbeKind({ schema: httpProbeSchema, run: probeHttp, sampleFields: httpSampleFields });
