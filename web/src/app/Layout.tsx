import { useQueryClient } from "@tanstack/react-query";
import { Suspense, useEffect, useState } from "react";
import { NavLink, Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { api, onUnauthorized } from "../api/client";
import type { Permission } from "../api/operations";
import { Button } from "../components/Button";
import { ErrorState, Loading } from "../components/States";
import { useMe } from "../features/auth/session";
import { StreamProvider, useStreamStatus } from "./stream";
import { useTheme } from "./theme";

interface NavItem {
  to: string;
  label: string;
  permission?: Permission;
}

const navigation: NavItem[] = [
  { to: "/", label: "Overview" },
  { to: "/alerts", label: "Alerts", permission: "alerts:read" },
  { to: "/agents", label: "Agents", permission: "agents:read" },
  { to: "/events", label: "Events", permission: "events:read" },
  { to: "/scans", label: "Scans", permission: "scans:read" },
  { to: "/firewall", label: "Firewall", permission: "firewall:read" },
  { to: "/rules", label: "Rules", permission: "rules:read" },
  { to: "/users", label: "Users and roles", permission: "users:read" },
  { to: "/audit", label: "Audit log", permission: "audit:read" },
  { to: "/settings", label: "Settings", permission: "settings:read" },
];

/** The signed-in frame: navigation, the live indicator, the account menu, and the page. */
export function Layout() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  // A 401 from any request means the session ended (idle, absolute expiry or revoked).
  useEffect(
    () =>
      onUnauthorized(() => {
        queryClient.clear();
        navigate("/login?expired", { replace: true, state: { from: location.pathname } });
      }),
    [navigate, queryClient, location.pathname],
  );

  if (me.isPending) return <Loading label="Signing in" />;
  if (me.isError) {
    const status = (me.error as { status?: number }).status;
    // Data from before the 401 means a session ended here; none means nobody had signed in.
    if (status === 401) {
      return <Navigate to={me.data ? "/login?expired" : "/login"} replace state={{ from: location.pathname }} />;
    }
    return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (me.data.totp_enrollment_required) return <Navigate to="/setup-2fa" replace />;

  return (
    <StreamProvider>
      <Frame username={me.data.user.display_name || me.data.user.username} permissions={me.data.user.permissions} />
    </StreamProvider>
  );
}

function Frame({ username, permissions }: { username: string; permissions: string[] }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const items = navigation.filter((item) => !item.permission || permissions.includes(item.permission));
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50">
        Skip to content
      </a>
      <header className="flex items-center justify-between border-b border-line bg-panel px-4 py-2 md:hidden">
        <Brand />
        <Button variant="ghost" aria-expanded={menuOpen} aria-controls="main-nav" onClick={() => setMenuOpen((o) => !o)}>
          Menu
        </Button>
      </header>
      <nav
        id="main-nav"
        aria-label="Main"
        className={`${menuOpen ? "flex" : "hidden"} flex-col gap-1 border-b border-line bg-panel p-3 md:sticky md:top-0 md:flex md:h-screen md:w-56 md:shrink-0 md:border-r md:border-b-0`}
      >
        <div className="mb-4 hidden md:block">
          <Brand />
        </div>
        {items.map((item) => (
          <NavLink
            key={item.to}
            to={item.to}
            end={item.to === "/"}
            className={({ isActive }) =>
              `rounded-md px-3 py-2 text-sm ${isActive ? "bg-raised font-medium text-ink" : "text-muted hover:bg-raised hover:text-ink"}`
            }
          >
            {item.label}
          </NavLink>
        ))}
        <div className="mt-auto flex flex-col gap-2 border-t border-line pt-3">
          <LiveIndicator />
          <AccountMenu username={username} />
        </div>
      </nav>
      <main id="main" className="min-w-0 flex-1">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

function Brand() {
  return (
    <div className="flex items-center gap-2">
      <img src="/favicon.svg" alt="" className="h-6 w-6" />
      <span className="font-semibold">SentinelSecure</span>
    </div>
  );
}

function LiveIndicator() {
  const status = useStreamStatus();
  const text = { live: "Live", connecting: "Connecting…", offline: "Offline, reconnecting" }[status];
  const dot = { live: "bg-ok", connecting: "bg-warn", offline: "bg-bad" }[status];
  return (
    <p role="status" aria-label={`Live updates: ${text}`} className="flex items-center gap-2 px-3 text-xs text-muted">
      <span className={`h-2 w-2 rounded-full ${dot}`} />
      {text}
    </p>
  );
}

function AccountMenu({ username }: { username: string }) {
  const { theme, toggle } = useTheme();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // Leave the signed-in pages first, so that none of their queries or the stream asks again with
  // a session that is about to end.
  const signOut = async () => {
    navigate("/login", { replace: true });
    try {
      await api.post("/api/v1/auth/logout");
    } finally {
      queryClient.clear();
    }
  };
  return (
    <div className="flex flex-col gap-1">
      <NavLink to="/account" className="truncate px-3 text-sm text-ink hover:underline" title={username}>
        {username}
      </NavLink>
      <Button variant="ghost" className="justify-start" onClick={toggle}>
        {theme === "dark" ? "Light theme" : "Dark theme"}
      </Button>
      <Button variant="ghost" className="justify-start" onClick={signOut}>
        Sign out
      </Button>
    </div>
  );
}
