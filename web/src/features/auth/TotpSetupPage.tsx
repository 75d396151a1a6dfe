import { useMutation, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import { describeError, fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { ErrorState, Loading } from "../../components/States";
import { meKey, useMe } from "./session";
import { RecoveryCodes } from "./RecoveryCodes";

interface Setup {
  secret: string;
  otpauth_uri: string;
}

/**
 * Two-factor enrolment: a QR code for the authenticator app, a code to confirm it, then the
 * recovery codes, shown once. Users whose role requires 2FA land here before anything else.
 */
export function TotpSetupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const [qr, setQr] = useState("");
  const [code, setCode] = useState("");
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const setup = useMutation({ mutationFn: () => api.post<Setup>("/api/v1/auth/totp/setup") });
  const confirm = useMutation({
    mutationFn: (value: string) => api.post<{ recovery_codes: string[] }>("/api/v1/auth/totp/confirm", { code: value }),
    onSuccess: (answer) => setRecoveryCodes(answer.recovery_codes),
  });

  useEffect(() => {
    document.title = "Set up two-factor authentication · SentinelSecure";
    setup.mutate();
    // Start one enrolment per visit of the page.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (!setup.data) return;
    QRCode.toDataURL(setup.data.otpauth_uri, { margin: 1, width: 200 }).then(setQr, () => setQr(""));
  }, [setup.data]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    confirm.mutate(code.replace(/\s/g, ""));
  };

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: meKey });
    navigate("/", { replace: true });
  };

  const required = me.data?.totp_enrollment_required ?? false;

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="flex w-full max-w-md flex-col gap-4 rounded-lg border border-line bg-panel p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Set up two-factor authentication</h1>
        {required && !recoveryCodes && (
          <p className="rounded-md bg-warn/10 px-3 py-2 text-sm text-warn">
            Your role requires two-factor authentication. Set it up to continue.
          </p>
        )}
        {recoveryCodes ? (
          <>
            <RecoveryCodes codes={recoveryCodes} />
            <Button variant="primary" onClick={finish}>
              I have saved my recovery codes
            </Button>
          </>
        ) : setup.isPending ? (
          <Loading label="Preparing" />
        ) : setup.isError ? (
          <ErrorState error={setup.error} onRetry={() => setup.mutate()} />
        ) : setup.data ? (
          <form onSubmit={submit} className="flex flex-col gap-4">
            <p className="text-sm text-muted">
              Scan this code with an authenticator app (such as Aegis, Google Authenticator or 1Password), then enter
              the 6-digit code it shows.
            </p>
            {qr && (
              <img
                src={qr}
                alt="QR code for your authenticator app"
                className="mx-auto h-48 w-48 rounded bg-white p-2"
              />
            )}
            <details className="text-sm">
              <summary className="cursor-pointer text-muted">Cannot scan? Enter the key by hand</summary>
              <code aria-label="Secret key" className="mt-2 block font-mono break-all select-all">
                {setup.data.secret}
              </code>
            </details>
            <TextField
              label="Code from the app"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
              error={fieldError(confirm.error, "code") ?? (confirm.error ? describeError(confirm.error) : undefined)}
            />
            <Button type="submit" variant="primary" busy={confirm.isPending}>
              Turn on two-factor authentication
            </Button>
          </form>
        ) : null}
      </div>
    </main>
  );
}
