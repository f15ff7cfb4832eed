/** Path of the ingest endpoint below a collector's base URL. */
const INGEST_PATH = "api/v1/ingest";

/**
 * The ingest endpoint under collector base URL `baseUrl`, keeping any path prefix it has (a collector behind a reverse
 * proxy at `https://gw.example/wardwatch/` is reached at `https://gw.example/wardwatch/api/v1/ingest`), with or without
 * a trailing slash. A query or fragment on the base URL is dropped. Throws TypeError when `baseUrl` is not a URL.
 */
export function ingestUrl(baseUrl: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${INGEST_PATH}`;
  url.search = "";
  url.hash = "";
  return url;
}
