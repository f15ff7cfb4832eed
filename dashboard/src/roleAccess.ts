/** A dashboard user's role (docs/security.md); the collector's `ROLES`, which the dashboard may not import. */
export type Role = "province" | "vendor" | "ward";

/**
 * What a role may open or do in the dashboard. Each entry mirrors one rule of the collector's `ROUTE_RULES`
 * (tests/dashboard/roleAccess.test.ts holds them equal): the dashboard hides what the server would refuse with 403,
 * so nobody is offered a page or a button that can only fail. The server stays the only judge.
 */
export interface RoleAccess {
  /** The link comparison page (`GET /api/v1/comparison`): one provider's circuits against another's. */
  comparison: boolean;
  /** The applications and LAN devices of the site page (`GET /api/v1/sites/:id/paths`): the ward's own traffic. */
  sitePaths: boolean;
  /** The time to acknowledge and restore table on the incidents page (`GET /api/v1/incidents/response-times`). */
  responseTimes: boolean;
  /** The acknowledge form of an incident (`POST /api/v1/incidents/:id/ack`). */
  acknowledge: boolean;
  /** The close button of an incident (`POST /api/v1/incidents/:id/resolve`). */
  resolve: boolean;
}

/** Every role's {@link RoleAccess}. */
export const ROLE_ACCESS = {
  province: { comparison: true, sitePaths: true, responseTimes: true, acknowledge: true, resolve: true },
  vendor: { comparison: false, sitePaths: false, responseTimes: true, acknowledge: true, resolve: false },
  ward: { comparison: true, sitePaths: true, responseTimes: false, acknowledge: false, resolve: false },
} as const satisfies Record<Role, RoleAccess>;
