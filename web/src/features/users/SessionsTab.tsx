import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Badge, Panel } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { Table, Td, Th } from "../../components/Table";
import { When } from "../../components/When";
import { formatTime } from "../../lib/time";
import { useCan } from "../auth/session";
import { useRevokeSession, useSessions } from "./api";
import { Checkbox } from "../../components/Checkbox";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import type { Session } from "./types";
import { describeUserAgent } from "./userAgent";

/** Live sessions: the caller's own, or everyone's with sessions:admin (?all=true). */
export function SessionsTab({ canEdit }: { canEdit: boolean }) {
  const isAdmin = useCan("sessions:admin");
  const [everyone, setEveryone] = useState(true);
  const all = isAdmin && everyone;
  const sessions = useSessions(all);
  const revoke = useRevokeSession();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [revoking, setRevoking] = useState<Session | null>(null);

  const confirmRevoke = () => {
    if (!revoking) return;
    const session = revoking;
    revoke.mutate(session.id, {
      onSuccess: () => {
        setRevoking(null);
        if (session.current) {
          // This browser's session is gone: leave before the next request answers 401.
          queryClient.clear();
          navigate("/login", { replace: true });
          return;
        }
        toast(`Session of ${session.username} ended`, "success");
      },
    });
  };

  return (
    <Panel>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted">{all ? "Everyone's live sessions." : "Your live sessions."}</p>
        {isAdmin && (
          <Checkbox label="Show everyone's sessions" checked={everyone} onChange={(e) => setEveryone(e.target.checked)} />
        )}
      </div>
      {sessions.isPending ? (
        <Loading label="Loading sessions" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.data.length === 0 ? (
        <EmptyState title="No live sessions." />
      ) : (
        <Table label="Sessions">
          <thead>
            <tr>
              {all && <Th>User</Th>}
              <Th>Browser</Th>
              <Th>Address</Th>
              <Th>Signed in</Th>
              <Th>Last active</Th>
              <Th>Expires</Th>
              {canEdit && (
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody>
            {sessions.data.map((session) => (
              <tr key={session.id} className={session.current ? "bg-accent/5" : undefined}>
                {all && <Td className="font-medium">{session.username}</Td>}
                <Td title={session.user_agent}>
                  <span className="flex flex-wrap items-center gap-2">
                    {describeUserAgent(session.user_agent)}
                    {session.current && <Badge tone="ok">This session</Badge>}
                  </span>
                </Td>
                <Td className="font-mono text-xs">{session.source_address || "—"}</Td>
                <Td className="whitespace-nowrap text-muted">{formatTime(session.created_at)}</Td>
                <Td className="whitespace-nowrap text-muted"><When value={session.last_seen_at} /></Td>
                <Td className="whitespace-nowrap text-muted">{formatTime(session.expires_at)}</Td>
                {canEdit && (
                  <Td className="text-right">
                    <Button
                      variant="ghost"
                      className="text-bad!"
                      aria-label={
                        session.current ? "Revoke this session" : `Revoke session of ${session.username} from ${session.source_address}`
                      }
                      onClick={() => setRevoking(session)}
                    >
                      Revoke
                    </Button>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      {canEdit && (
        <ConfirmDialog
          open={revoking !== null}
          title="Revoke session"
          confirmLabel={revoking?.current ? "Revoke and sign out" : "Revoke session"}
          busy={revoke.isPending}
          error={revoke.error}
          onClose={() => {
            setRevoking(null);
            revoke.reset();
          }}
          onConfirm={confirmRevoke}
        >
          {revoking?.current ? (
            <>This is the session you are using now: revoking it signs you out here.</>
          ) : (
            <>
              End the session of <strong>{revoking?.username}</strong> from {revoking?.source_address || "an unknown address"}?
              That browser has to sign in again.
            </>
          )}
        </ConfirmDialog>
      )}
    </Panel>
  );
}
