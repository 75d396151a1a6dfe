import { Page } from "../../components/Page";
import { EmptyState } from "../../components/States";
import { useCan } from "../auth/session";
import { useLiveSettings } from "./api";
import { CertificatesSection } from "./CertificatesSection";
import { SessionLifetimeSection } from "./SessionLifetimeSection";
import { TwoFactorPolicySection } from "./TwoFactorPolicySection";

/** Server settings: certificates and session lifetimes (read-only), and the two-factor policy.
 * Without settings:read, a sentence instead of failing requests. */
export function SettingsPage() {
  const canRead = useCan("settings:read");
  return (
    <Page title="Settings">
      {canRead ? (
        <Settings />
      ) : (
        <EmptyState title="Your role cannot see the settings.">It needs the permission settings:read.</EmptyState>
      )}
    </Page>
  );
}

function Settings() {
  useLiveSettings();
  return (
    <>
      <CertificatesSection />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <SessionLifetimeSection />
        <TwoFactorPolicySection />
      </div>
    </>
  );
}
