import { useState } from "react";
import { Button } from "../../components/Button";
import { ConfirmMutationDialog } from "../../components/ConfirmDialog";
import { Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { formatAgo, formatTime } from "../../lib/time";
import { useDeleteToken, useTokens } from "./api";
import { CreateTokenDialog, NewTokenDialog } from "./TokenDialogs";
import type { ApiToken, CreatedToken } from "./types";

/** The caller's own API tokens; `canEdit` false shows them without any action. */
export function TokensTab({ canEdit }: { canEdit: boolean }) {
  const tokens = useTokens();
  const remove = useDeleteToken();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const [deleting, setDeleting] = useState<ApiToken | null>(null);

  return (
    <Panel>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted">Your API tokens. Each acts with your permissions.</p>
        {canEdit && (
          <Button variant="primary" onClick={() => setCreating(true)}>
            Create token
          </Button>
        )}
      </div>
      {tokens.isPending ? (
        <Loading label="Loading tokens" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} onRetry={() => void tokens.refetch()} />
      ) : tokens.data.length === 0 ? (
        <EmptyState title="You have no API tokens.">
          {canEdit && "Create one for a script or for sentinelctl."}
        </EmptyState>
      ) : (
        <Table label="API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Created</Th>
              <Th>Expires</Th>
              <Th>Last used</Th>
              {canEdit && (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((token) => {
              const expired = token.expires_at !== null && token.expires_at < Date.now();
              return (
                <tr key={token.id}>
                  <Td className="font-medium">{token.name}</Td>
                  <Td className="whitespace-nowrap text-muted">{formatTime(token.created_at)}</Td>
                  <Td className={`whitespace-nowrap ${expired ? "text-bad" : "text-muted"}`}>
                    {token.expires_at === null ? "never" : formatTime(token.expires_at)}
                    {expired && " (expired)"}
                  </Td>
                  <Td className="whitespace-nowrap text-muted" title={formatTime(token.last_used_at)}>
                    {formatAgo(token.last_used_at)}
                  </Td>
                  {canEdit && (
                    <Td className="text-right">
                      <Button
                        variant="ghost"
                        className="text-bad!"
                        aria-label={`Delete token ${token.name}`}
                        onClick={() => setDeleting(token)}
                      >
                        Delete
                      </Button>
                    </Td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}

      {canEdit && (
        <>
          <CreateTokenDialog
            open={creating}
            onClose={() => setCreating(false)}
            onCreated={(token) => {
              setCreating(false);
              setCreated(token);
            }}
          />
          <NewTokenDialog token={created} onClose={() => setCreated(null)} />
          <ConfirmMutationDialog
            target={deleting}
            mutation={remove}
            variables={(t) => t.id}
            done={(t) => `Token ${t.name} deleted`}
            onClose={() => setDeleting(null)}
            title="Delete API token"
            confirmLabel="Delete token"
          >
            Delete the token <strong>{deleting?.name}</strong>? Scripts that use it stop working at once.
          </ConfirmMutationDialog>
        </>
      )}
    </Panel>
  );
}
