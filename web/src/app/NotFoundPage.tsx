import { Link } from "react-router";
import { Page } from "../components/Page";
import { EmptyState } from "../components/States";

export function NotFoundPage() {
  return (
    <Page title="Not found">
      <EmptyState title="There is no page at this address.">
        <Link to="/" className="text-accent underline">
          Go to the overview
        </Link>
      </EmptyState>
    </Page>
  );
}
