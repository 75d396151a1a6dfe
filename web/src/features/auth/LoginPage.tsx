import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useLocation, useNavigate } from "react-router";
import { api, setCsrfToken } from "../../api/client";
import { ApiError, describeError, fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import { meKey, type Me, type User } from "./session";

interface LoginAnswer {
  csrf_token: string;
  user: User;
  expires_at: number;
  totp_enrollment_required: boolean;
}

/** Sign-in: username and password, then the authenticator code when the account has 2FA. */
export function LoginPage() {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [step, setStep] = useState<"password" | "totp">("password");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const expired = new URLSearchParams(location.search).has("expired");

  useEffect(() => {
    document.title = "Sign in · SentinelSecure";
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = step === "totp" ? { username, password, totp: totp.replace(/\s/g, "") } : { username, password };
      const answer = await api.post<LoginAnswer>("/api/v1/auth/login", body);
      setCsrfToken(answer.csrf_token);
      const me: Me = { user: answer.user, totp_enrollment_required: answer.totp_enrollment_required };
      queryClient.clear();
      queryClient.setQueryData(meKey, me);
      const from = (location.state as { from?: string } | null)?.from;
      navigate(answer.totp_enrollment_required ? "/setup-2fa" : from && from !== "/login" ? from : "/", {
        replace: true,
      });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === "totp_required") {
        setStep("totp");
      } else {
        setError(caught);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <form
        onSubmit={submit}
        aria-label="Sign in"
        className="flex w-full max-w-sm flex-col gap-4 rounded-lg border border-line bg-panel p-6 shadow-sm"
      >
        <div className="flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="h-7 w-7" />
          <h1 className="text-lg font-semibold">SentinelSecure</h1>
        </div>
        {expired && step === "password" && (
          <p role="status" className="rounded-md bg-warn/10 px-3 py-2 text-sm text-warn">
            Your session has ended. Please sign in again.
          </p>
        )}
        {step === "password" ? (
          <>
            <TextField
              label="Username"
              name="username"
              autoComplete="username"
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              error={fieldError(error, "username")}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={fieldError(error, "password")}
            />
          </>
        ) : (
          <TextField
            label="Authentication code"
            name="totp"
            inputMode="numeric"
            autoComplete="one-time-code"
            autoFocus
            required
            value={totp}
            onChange={(e) => setTotp(e.target.value)}
            hint="The 6-digit code from your authenticator app, or one of your recovery codes."
            error={fieldError(error, "totp")}
          />
        )}
        {error !== null && !(error instanceof ApiError && error.field) && (
          <p role="alert" className="text-sm text-bad">
            {describeError(error)}
          </p>
        )}
        <Button type="submit" variant="primary" busy={busy}>
          {step === "password" ? "Sign in" : "Verify"}
        </Button>
        {step === "totp" && (
          <Button
            variant="ghost"
            onClick={() => {
              setStep("password");
              setTotp("");
              setError(null);
            }}
          >
            Back
          </Button>
        )}
      </form>
    </main>
  );
}
