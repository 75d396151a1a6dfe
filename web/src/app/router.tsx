import { lazy, Suspense } from "react";
import { createBrowserRouter } from "react-router";
import { LoginPage } from "../features/auth/LoginPage";
import { Loading } from "../components/States";
import { Layout } from "./Layout";
import { NotFoundPage } from "./NotFoundPage";

// Pages behind the login load on demand, so the first page (sign-in) stays small.
const TotpSetupPage = lazy(() =>
  import("../features/auth/TotpSetupPage").then((m) => ({ default: m.TotpSetupPage })),
);
const OverviewPage = lazy(() => import("../features/overview/OverviewPage").then((m) => ({ default: m.OverviewPage })));
const AgentsPage = lazy(() => import("../features/agents/AgentsPage").then((m) => ({ default: m.AgentsPage })));
const AgentDetailPage = lazy(() =>
  import("../features/agents/AgentDetailPage").then((m) => ({ default: m.AgentDetailPage })),
);
const AlertsPage = lazy(() => import("../features/alerts/AlertsPage").then((m) => ({ default: m.AlertsPage })));
const AlertDetailPage = lazy(() =>
  import("../features/alerts/AlertDetailPage").then((m) => ({ default: m.AlertDetailPage })),
);
const EventsPage = lazy(() => import("../features/events/EventsPage").then((m) => ({ default: m.EventsPage })));
const ScansPage = lazy(() => import("../features/scans/ScansPage").then((m) => ({ default: m.ScansPage })));
const ScanDetailPage = lazy(() =>
  import("../features/scans/ScanDetailPage").then((m) => ({ default: m.ScanDetailPage })),
);
const FirewallStatusPage = lazy(() =>
  import("../features/firewall/FirewallStatusPage").then((m) => ({ default: m.FirewallStatusPage })),
);
const FirewallPoliciesPage = lazy(() =>
  import("../features/firewall/PoliciesPage").then((m) => ({ default: m.PoliciesPage })),
);
const FirewallPolicyPage = lazy(() => import("../features/firewall/PolicyPage").then((m) => ({ default: m.PolicyPage })));
const FirewallBlocksPage = lazy(() => import("../features/firewall/BlocksPage").then((m) => ({ default: m.BlocksPage })));
const FirewallFeedsPage = lazy(() => import("../features/firewall/FeedsPage").then((m) => ({ default: m.FeedsPage })));
const RulesPage = lazy(() => import("../features/rules/RulesPage").then((m) => ({ default: m.RulesPage })));
const UsersPage = lazy(() => import("../features/users/UsersPage").then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import("../features/audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const SettingsPage = lazy(() => import("../features/settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
const AccountPage = lazy(() => import("../features/account/AccountPage").then((m) => ({ default: m.AccountPage })));

export const router = createBrowserRouter([
  { path: "/login", element: <LoginPage /> },
  {
    path: "/setup-2fa",
    element: (
      <Suspense fallback={<Loading />}>
        <TotpSetupPage />
      </Suspense>
    ),
  },
  {
    element: <Layout />,
    children: [
      { index: true, element: <OverviewPage /> },
      { path: "agents", element: <AgentsPage /> },
      { path: "agents/:id", element: <AgentDetailPage /> },
      { path: "alerts", element: <AlertsPage /> },
      { path: "alerts/:id", element: <AlertDetailPage /> },
      { path: "events", element: <EventsPage /> },
      { path: "scans", element: <ScansPage /> },
      { path: "scans/:id", element: <ScanDetailPage /> },
      { path: "firewall", element: <FirewallStatusPage /> },
      { path: "firewall/policies", element: <FirewallPoliciesPage /> },
      { path: "firewall/policies/:id", element: <FirewallPolicyPage /> },
      { path: "firewall/blocks", element: <FirewallBlocksPage /> },
      { path: "firewall/feeds", element: <FirewallFeedsPage /> },
      { path: "rules", element: <RulesPage /> },
      { path: "users", element: <UsersPage /> },
      { path: "audit", element: <AuditPage /> },
      { path: "settings", element: <SettingsPage /> },
      { path: "account", element: <AccountPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
]);
