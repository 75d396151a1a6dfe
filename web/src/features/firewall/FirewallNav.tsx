import type { ReactNode } from "react";
import { NavLink } from "react-router";
import { Page } from "../../components/Page";
import { EmptyState } from "../../components/States";
import { useCan } from "../auth/session";

const sections = [
  { to: "/firewall", label: "Status", end: true },
  { to: "/firewall/policies", label: "Policies", end: false },
  { to: "/firewall/blocks", label: "Blocks", end: false },
  { to: "/firewall/feeds", label: "Feeds", end: false },
];

/** The firewall section's own navigation, under every page of it. */
export function FirewallNav() {
  return (
    <nav aria-label="Firewall" className="flex gap-1 overflow-x-auto border-b border-line">
      {sections.map((section) => (
        <NavLink
          key={section.to}
          to={section.to}
          end={section.end}
          className={({ isActive }) =>
            `-mb-px border-b-2 px-3 py-2 text-sm whitespace-nowrap ${
              isActive ? "border-accent font-medium text-ink" : "border-transparent text-muted hover:text-ink"
            }`
          }
        >
          {section.label}
        </NavLink>
      ))}
    </nav>
  );
}

/** A firewall page: its title and actions, the section navigation, then the content, or a note
 * for a role without firewall:read. */
export function FirewallPage({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const canRead = useCan("firewall:read");
  return (
    <Page title={title} actions={canRead ? actions : undefined}>
      {canRead ? (
        <>
          <FirewallNav />
          {children}
        </>
      ) : (
        <EmptyState title="Your role cannot see the firewall.">It needs the permission firewall:read.</EmptyState>
      )}
    </Page>
  );
}
