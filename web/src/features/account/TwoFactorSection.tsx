import { useState } from "react";
import { Link } from "react-router";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Dialog } from "../../components/Dialog";
import { Badge, Panel } from "../../components/Page";
import { RecoveryCodes } from "../auth/RecoveryCodes";
import { useDisableTotp, useRegenerateRecoveryCodes } from "./api";
import { PasswordPrompt } from "./PasswordPrompt";

/** The user's own two-factor authentication: set it up, replace the recovery codes, or turn it off. */
export function TwoFactorSection({ enabled }: { enabled: boolean }) {
  const [dialog, setDialog] = useState<"codes" | "disable" | null>(null);
  return (
    <Panel title="Two-factor authentication">
      <div className="flex flex-col gap-4">
        <p className="flex flex-wrap items-center gap-2 text-sm">
          Status: {enabled ? <Badge tone="ok">On</Badge> : <Badge tone="warn">Off</Badge>}
        </p>
        {enabled ? (
          <>
            <p className="text-sm text-muted">
              Signing in needs a code from your authenticator app, or one of your recovery codes.
            </p>
            <div className="flex flex-wrap gap-2">
              <Button onClick={() => setDialog("codes")}>Regenerate recovery codes</Button>
              <Button variant="danger" onClick={() => setDialog("disable")}>
                Turn off two-factor authentication
              </Button>
            </div>
          </>
        ) : (
          <>
            <p className="text-sm text-muted">
              With two-factor authentication, a stolen password alone cannot sign in as you.
            </p>
            <div>
              <Link
                to="/setup-2fa"
                className="inline-flex rounded-md bg-accent px-3 py-1.5 text-sm font-medium text-accent-ink hover:opacity-90"
              >
                Set up two-factor authentication
              </Link>
            </div>
          </>
        )}
      </div>
      <Dialog open={dialog === "codes"} title="Regenerate recovery codes" onClose={() => setDialog(null)}>
        <RegenerateCodes onDone={() => setDialog(null)} />
      </Dialog>
      <Dialog open={dialog === "disable"} title="Turn off two-factor authentication" onClose={() => setDialog(null)}>
        <DisableTotp onDone={() => setDialog(null)} />
      </Dialog>
    </Panel>
  );
}

function RegenerateCodes({ onDone }: { onDone: () => void }) {
  const regenerate = useRegenerateRecoveryCodes();
  if (regenerate.data) {
    return (
      <div className="flex flex-col gap-4">
        <RecoveryCodes codes={regenerate.data} />
        <Button variant="primary" onClick={onDone}>
          I have saved my recovery codes
        </Button>
      </div>
    );
  }
  return (
    <PasswordPrompt
      confirmLabel="Regenerate codes"
      busy={regenerate.isPending}
      error={regenerate.error}
      onSubmit={(password) => regenerate.mutate(password)}
      onCancel={onDone}
    >
      New recovery codes replace the old ones, which stop working at once.
    </PasswordPrompt>
  );
}

function DisableTotp({ onDone }: { onDone: () => void }) {
  const toast = useToast();
  const disable = useDisableTotp();
  return (
    <PasswordPrompt
      confirmLabel="Turn off"
      danger
      busy={disable.isPending}
      error={disable.error}
      onSubmit={(password) =>
        disable.mutate(password, {
          onSuccess: () => {
            toast("Two-factor authentication is off", "success");
            onDone();
          },
        })
      }
      onCancel={onDone}
    >
      After this, your password alone signs you in. Your recovery codes stop working.
    </PasswordPrompt>
  );
}
