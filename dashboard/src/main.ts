import "./styles.css";
import "./incidents.css";
import type { Lang, Translator } from "./i18n.js";
import type { LiveStatus } from "./live.js";
import type { Page, PageContext } from "./page.js";
import { ApiClient } from "./api.js";
import { el } from "./dom.js";
import { createFormatter } from "./format.js";
import { LANGS, createTranslator, loadLang, saveLang } from "./i18n.js";
import { IncidentApi } from "./incidentApi.js";
import { IncidentBoard } from "./incidentBoard.js";
import { IncidentPage } from "./incidentPage.js";
import { incidentsHref } from "./incidentRoutes.js";
import { IncidentsPage } from "./incidentsPage.js";
import { LiveConnection, liveUrl } from "./live.js";
import { OverviewPage } from "./overview.js";
import { parseRoute } from "./router.js";
import { SiteDirectory } from "./siteDirectory.js";
import { SitePage } from "./sitePage.js";
import { SlaPage } from "./sla/slaPage.js";
import { slaHref } from "./sla/slaRoute.js";

/** localStorage, or null where the browser refuses it (privacy settings, sandboxed frames). */
function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Wires the dashboard into `root`: the only place that creates the shared objects. */
function startDashboard(root: HTMLElement): void {
  const storage = browserStorage();
  const api = new ApiClient();
  const incidents = new IncidentApi(api);
  const directory = new SiteDirectory();
  const incidentBoard = new IncidentBoard();
  let translator: Translator = createTranslator(loadLang(storage));
  let liveStatus: LiveStatus = "connecting";
  let page: Page | null = null;

  const liveIndicator = el("span", { class: "live", role: "status", "aria-live": "polite" });
  const langSwitch = el("div", { class: "lang-switch", role: "group" });
  const navOverview = el("a", { href: "#/", class: "nav-link" });
  const navIncidents = el("a", { href: incidentsHref(), class: "nav-link", "data-nav": "incidents" });
  const navSla = el("a", { href: slaHref(), class: "nav-link", "data-nav": "sla" });
  const brand = el("a", { href: "#/", class: "brand" });
  const content = el("main", { id: "content", tabindex: "-1" });
  root.replaceChildren(
    el("header", { class: "topbar" }, brand, el("nav", { class: "nav" }, navOverview, navIncidents, navSla), el("div", { class: "topbar-end" }, liveIndicator, langSwitch)),
    content,
  );

  const renderLive = (): void => {
    liveIndicator.dataset.live = liveStatus;
    liveIndicator.className = `live live-${liveStatus}`;
    liveIndicator.replaceChildren(el("span", { class: "dot", "aria-hidden": "true" }), translator.t(`live.${liveStatus}`));
  };

  const renderShell = (): void => {
    const { t } = translator;
    document.documentElement.lang = translator.lang;
    brand.textContent = t("app.brand");
    brand.title = t("app.title");
    navOverview.textContent = t("nav.overview");
    navIncidents.textContent = t("nav.incidents");
    navSla.textContent = t("nav.sla");
    langSwitch.setAttribute("aria-label", t("lang.switch"));
    langSwitch.replaceChildren(
      ...LANGS.map((lang) => {
        const button = el("button", { type: "button", class: "button lang", lang, "data-lang": lang, "aria-pressed": String(lang === translator.lang) }, t(`lang.${lang}`));
        button.addEventListener("click", () => setLang(lang));
        return button;
      }),
    );
    renderLive();
  };

  const showRoute = (moveFocus: boolean): void => {
    page?.destroy();
    const context: PageContext = { translator, format: createFormatter(translator), api, incidents, directory, incidentBoard, now: () => Date.now() };
    const route = parseRoute(location.hash);
    navOverview.toggleAttribute("aria-current", route.name === "overview");
    navIncidents.toggleAttribute("aria-current", route.name === "incidents" || route.name === "incident");
    navSla.toggleAttribute("aria-current", route.name === "sla");
    if (route.name === "site") {
      page = new SitePage(context, route.siteId, route.range);
    } else if (route.name === "incidents") {
      document.title = `${translator.t("incidents.heading")} — ${translator.t("app.brand")}`;
      page = new IncidentsPage(context, route.filter);
    } else if (route.name === "sla") {
      page = new SlaPage(context, route.month);
    } else if (route.name === "incident") {
      page = new IncidentPage(context, route.incidentId);
    } else {
      document.title = `${translator.t("overview.heading")} — ${translator.t("app.brand")}`;
      page = new OverviewPage(context);
    }
    content.replaceChildren(page.element);
    // Tell screen-reader and keyboard users the page changed, as a full page load would.
    if (moveFocus) content.focus({ preventScroll: false });
  };

  const setLang = (lang: Lang): void => {
    if (lang === translator.lang) return;
    saveLang(storage, lang);
    translator = createTranslator(lang);
    renderShell();
    showRoute(false);
  };

  const live = new LiveConnection({
    url: liveUrl(location),
    onMessage: (message) => {
      if (message.type === "incident") {
        incidentBoard.apply(message.incident);
        return;
      }
      directory.applyLive(message);
      // After a (re)connect, incident updates may have been missed while the socket was down.
      if (message.type === "hello") incidentBoard.resync();
    },
    onStatus: (status) => {
      liveStatus = status;
      renderLive();
    },
  });

  renderShell();
  showRoute(false);
  window.addEventListener("hashchange", () => {
    showRoute(true);
    window.scrollTo(0, 0);
  });
  live.start();
}

const appRoot = document.getElementById("app");
if (appRoot) startDashboard(appRoot);
