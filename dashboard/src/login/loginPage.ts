import { ApiError, type ApiClient, type CurrentUser } from "../api.js";
import { el } from "../dom.js";
import type { Translator } from "../i18n.js";
import type { Page } from "../page.js";

/**
 * The login page (Vietnamese first): user name and password, posted to /api/v1/login; `onLoggedIn` is called with the
 * user once the collector has set the session cookies. A wrong password and a lock-out (429) are shown in the form.
 */
export class LoginPage implements Page {
  readonly element: HTMLElement;

  constructor(translator: Translator, api: ApiClient, onLoggedIn: (user: CurrentUser) => void) {
    const { t } = translator;
    const name = el("input", { id: "login-name", name: "username", autocomplete: "username", required: true, maxlength: 64 });
    const password = el("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 256 });
    const problem = el("p", { class: "login-problem", role: "alert" });
    const submit = el("button", { type: "submit", class: "button" }, t("login.submit"));
    const form = el(
      "form",
      { class: "card login", "data-page": "login" },
      el("h1", {}, t("login.heading")),
      el("label", { for: "login-name" }, t("login.name")),
      name,
      el("label", { for: "login-password" }, t("login.password")),
      password,
      problem,
      submit,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit.disabled = true;
      problem.textContent = "";
      api
        .login(name.value.trim(), password.value)
        .then(onLoggedIn, (err: unknown) => {
          password.value = "";
          if (err instanceof ApiError && err.status === 429) {
            const seconds = /(\d+) s/.exec(err.message)?.[1] ?? "60";
            problem.textContent = t("login.locked", { seconds });
          } else {
            problem.textContent = err instanceof ApiError && err.status === 401 ? t("login.failed") : t("error.generic", { message: err instanceof Error ? err.message : String(err) });
          }
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    this.element = el("div", { class: "login-page" }, form);
  }

  destroy(): void {}
}
