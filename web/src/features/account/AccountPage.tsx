import { Link } from "react-router";
import { Badge, Page, Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { useMe } from "../auth/session";
import { ChangePasswordSection } from "./ChangePasswordSection";
import { TwoFactorSection } from "./TwoFactorSection";

/** The signed-in user's own account: who they are, their password and their two-factor set-up. */
export function AccountPage() {
  const me = useMe();
  return (
    <Page title="Account">
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <>
          <Panel title="Profile">
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
              <dt className="text-muted">Username</dt>
              <dd className="font-medium">{me.data.user.username}</dd>
              <dt className="text-muted">Display name</dt>
              <dd>{me.data.user.display_name || "—"}</dd>
              <dt className="text-muted">Roles</dt>
              <dd className="flex flex-wrap gap-1">
                {me.data.user.roles.map((role) => (
                  <Badge key={role}>{role}</Badge>
                ))}
              </dd>
            </dl>
            <p className="mt-3 text-sm">
              <Link to="/users?tab=tokens" className="text-accent underline">
                Your API tokens
              </Link>
              {" · "}
              <Link to="/users?tab=sessions" className="text-accent underline">
                Your sessions
              </Link>
            </p>
          </Panel>
          <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
            <ChangePasswordSection username={me.data.user.username} />
            <TwoFactorSection enabled={me.data.user.totp_enabled} />
          </div>
        </>
      )}
    </Page>
  );
}
