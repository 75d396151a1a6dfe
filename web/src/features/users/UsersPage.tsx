import { useSearchParams } from "react-router";
import { Page } from "../../components/Page";
import { Tabs } from "../../components/Tabs";
import { useCan, useMe } from "../auth/session";
import { useAdminLiveUpdates } from "./api";
import { canChangeAnything } from "./permissions";
import { RolesTab } from "./RolesTab";
import { SessionsTab } from "./SessionsTab";
import { TokensTab } from "./TokensTab";
import { UsersTab } from "./UsersTab";

type TabId = "users" | "roles" | "tokens" | "sessions";

/** Users, roles, the caller's API tokens and sessions, one tab each (?tab= keeps the choice in the
 * address). Tabs the caller may not read are left out rather than shown failing. */
export function UsersPage() {
  useAdminLiveUpdates();
  const canReadUsers = useCan("users:read");
  const canReadRoles = useCan("roles:read");
  const canEditOwn = canChangeAnything(useMe().data?.user.permissions ?? []);
  const [params, setParams] = useSearchParams();
  const tabs: { id: TabId; title: string }[] = [
    ...(canReadUsers ? [{ id: "users" as const, title: "Users" }] : []),
    ...(canReadRoles ? [{ id: "roles" as const, title: "Roles" }] : []),
    { id: "tokens", title: "API tokens" },
    { id: "sessions", title: "Sessions" },
  ];
  const requested = params.get("tab");
  const selected = tabs.find((tab) => tab.id === requested) ?? tabs[0];
  if (!selected) return null;
  const select = (id: TabId) => setParams(id === tabs[0]?.id ? {} : { tab: id }, { replace: true });

  return (
    <Page title="Users and roles">
      <Tabs label="Users and roles" tabs={tabs} selected={selected.id} onSelect={select} />
      <div role="tabpanel" aria-label={selected.title} className="min-w-0">
        {selected.id === "users" && <UsersTab />}
        {selected.id === "roles" && <RolesTab />}
        {selected.id === "tokens" && <TokensTab canEdit={canEditOwn} />}
        {selected.id === "sessions" && <SessionsTab canEdit={canEditOwn} />}
      </div>
    </Page>
  );
}
