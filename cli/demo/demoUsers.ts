/**
 * The demo's three logins, one per audience (docs/security.md): the province (`tinh`, sees everything), a vendor
 * (`vnpt`, only VNPT's circuits and their incidents) and a ward (`phuong`, only this host's site). Each start gives
 * them new passwords, printed once, so a newcomer can log in as each even in a reused demo directory.
 */
import { generatePassword, hashPassword } from "../../collector/auth/passwords.js";
import type { RoleScope } from "../../collector/auth/scope.js";
import type { AuthStore } from "../../collector/store/authStore.js";

/** One demo login: the user, what it sees (in Vietnamese), its grant. */
const DEMO_USERS: ReadonlyArray<{ name: string; sees: string; grant: RoleScope }> = [
  { name: "tinh", sees: "tỉnh: mọi trạm, quản trị", grant: { role: "province" } },
  { name: "vnpt", sees: "nhà mạng VNPT: chỉ kênh của VNPT", grant: { role: "vendor", provider: "vnpt" } },
  { name: "phuong", sees: "phường: chỉ trạm demo-phuong-1", grant: { role: "ward", site: "demo-phuong-1" } },
];

/** Creates (or gives a new password to) each demo user in `auth`; returns the lines to print: name / password — what it sees. */
export async function ensureDemoUsers(auth: AuthStore, nowMs: number): Promise<string[]> {
  const lines: string[] = [];
  for (const { name, sees, grant } of DEMO_USERS) {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    if (auth.getUser(name)) auth.setPassword(name, passwordHash);
    else auth.addUser({ name, grant, passwordHash, disabled: false, createdAt: nowMs });
    lines.push(`${name} / ${password}  (${sees})`);
  }
  return lines;
}
