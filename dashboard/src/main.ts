import "./styles.css";
import "./incidents.css";
import type { Lang, Translator } from "./i18n.js";
import type { LiveStatus } from "./live.js";
import type { Page, PageContext } from "./page.js";
import { ApiClient, ApiError, type CurrentUser } from "./api.js";
import { LoginPage } from "./login/loginPage.js";
import { el } from "./dom.js";
import { createFormatter } from "./format.js";
import { LANGS, createTranslator, loadLang, saveLang } from "./i18n.js";
import { IncidentApi } from "./incidentApi.js";
import { IncidentBoard } from "./incidentBoard.js";
import { IncidentPage } from "./incidentPage.js";
import { incidentsHref } from "./incidentRoutes.js";
import { IncidentsPage } from "./incidentsPage.js";
import { LiveConnection, liveUrl } from "./live.js";
import { OverviewPage } from "./overview/overviewPage.js";
import { ComparisonPage } from "./comparison/comparisonPage.js";
import { parseRoute } from "./router.js";
import { SiteDirectory } from "./siteDirectory.js";
import { SitePage } from "./sitePage.js";
import { ROLE_ACCESS } from "./roleAccess.js";
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

/**
 * Starts the dashboard in `root` for whoever is logged in, or the login page when nobody is (GET /me answers 401);
 * a login, and a logout, reload the page so that everything starts again under the new session.
 */
async function boot(root: HTMLElement): Promise<void> {
  const storage = browserStorage();
  const api = new ApiClient();
  const showLogin = (): void => {
    const translator = createTranslator(loadLang(storage));
    document.documentElement.lang = translator.lang;
    document.title = `${translator.t("login.heading")} — ${translator.t("app.brand")}`;
    root.replaceChildren(new LoginPage(translator, api, () => location.reload()).element);
  };
  let user: CurrentUser;
  try {
    user = await api.me();
    performance.mark("dashboard:logged-in");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showLogin();
    throw err;
  }
  startDashboard(root, storage, api, user, showLogin);
}

/** Wires the dashboard into `root`: the only place that creates the shared objects. */
function startDashboard(root: HTMLElement, storage: Storage | null, api: ApiClient, user: CurrentUser, showLogin: () => void): void {
  const incidents = new IncidentApi(api);
  const directory = new SiteDirectory();
  const incidentBoard = new IncidentBoard();
  let translator: Translator = createTranslator(loadLang(storage));
  let liveStatus: LiveStatus = "connecting";
  let page: Page | null = null;

  const liveIndicator = el("span", { class: "live", role: "status", "aria-live": "polite" });
  const langSwitch = el("div", { class: "lang-switch", role: "group" });
  const navOverview = el("a", { href: "#/", class: "nav-link", "data-nav": "overview" });
  const navIncidents = el("a", { href: incidentsHref(), class: "nav-link", "data-nav": "incidents" });
  const access = ROLE_ACCESS[user.role];
  const navComparison = el("a", { href: "#/comparison", class: "nav-link", "data-nav": "comparison", hidden: !access.comparison });
  const navSla = el("a", { href: slaHref(), class: "nav-link", "data-nav": "sla" });
  const brand = el("a", { href: "#/", class: "brand" });
  const userBadge = el("span", { class: "user-badge", "data-user": user.name, "data-role": user.role });
  const logout = el("button", { type: "button", class: "button lang", "data-action": "logout" });
  logout.addEventListener("click", () => {
    void api.logout().finally(() => location.reload());
  });
  const content = el("main", { id: "content", tabindex: "-1" });
  root.replaceChildren(
    el("header", { class: "topbar" }, brand, el("nav", { class: "nav" }, navOverview, navIncidents, navComparison, navSla), el("div", { class: "topbar-end" }, liveIndicator, userBadge, logout, langSwitch)),
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
    navComparison.textContent = t("nav.comparison");
    userBadge.textContent = `${user.name} · ${t(`role.${user.role}`)}`;
    logout.textContent = t("login.logout");
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
    const context: PageContext = { translator, format: createFormatter(translator), api, incidents, directory, incidentBoard, access, now: () => Date.now(), liveStatus: () => liveStatus };
    const route = parseRoute(location.hash);
    navOverview.toggleAttribute("aria-current", route.name === "overview");
    navIncidents.toggleAttribute("aria-current", route.name === "incidents" || route.name === "incident");
    navComparison.toggleAttribute("aria-current", route.name === "comparison");
    navSla.toggleAttribute("aria-current", route.name === "sla");
    if (route.name === "site") {
      page = new SitePage(context, route.siteId, route.range);
    } else if (route.name === "incidents") {
      document.title = `${translator.t("incidents.heading")} — ${translator.t("app.brand")}`;
      page = new IncidentsPage(context, route.filter);
    } else if (route.name === "comparison") {
      page = new ComparisonPage(context, route.period);
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

  // The session ended (expired, logged out elsewhere, user disabled): stop the feed and ask for a login.
  api.onUnauthenticated = () => {
    live.stop();
    page?.destroy();
    page = null;
    showLogin();
  };

  renderShell();
  showRoute(false);
  window.addEventListener("hashchange", () => {
    if (!page) return;
    showRoute(true);
    window.scrollTo(0, 0);
  });
  live.start();
}

const appRoot = document.getElementById("app");
if (appRoot) void boot(appRoot);
