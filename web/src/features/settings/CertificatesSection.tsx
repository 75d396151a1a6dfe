import { useState } from "react";
import { ApiError } from "../../api/errors";
import { Button } from "../../components/Button";
import { Badge, Panel } from "../../components/Page";
import { ErrorState, Loading } from "../../components/States";
import { formatTime } from "../../lib/time";
import { useCertificates } from "./api";
import type { CertificateFacts } from "./types";
import { certificateValidity } from "./validity";

/** The gateway's HTTPS certificate and the CA that signs agent certificates, with what an
 * administrator compares out of band: fingerprints and the public key pin. */
export function CertificatesSection() {
  const certificates = useCertificates();
  return (
    <Panel title="Certificates">
      {certificates.isPending ? (
        <Loading label="Loading certificates" />
      ) : certificates.isError ? (
        certificates.error instanceof ApiError && certificates.error.status === 404 ? (
          <div role="alert" className="flex flex-col items-center gap-3 py-8 text-center">
            <p className="text-bad!">This server does not report its certificates yet; it needs a newer build.</p>
            <Button onClick={() => void certificates.refetch()}>Try again</Button>
          </div>
        ) : (
          <ErrorState error={certificates.error} onRetry={() => void certificates.refetch()} />
        )
      ) : (
        <div className="flex flex-col gap-4">
          <p className="text-sm">
            <span className="text-muted">Minimum TLS version: </span>
            <span className="font-medium">TLS {certificates.data.tls_min_version}</span>
          </p>
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
            <Certificate title="Gateway HTTPS certificate" facts={certificates.data.gateway} />
            <Certificate title="Agent certificate authority" facts={certificates.data.agent_ca} />
          </div>
        </div>
      )}
    </Panel>
  );
}

function Certificate({ title, facts }: { title: string; facts: CertificateFacts }) {
  const validity = certificateValidity(facts.not_before, facts.not_after);
  return (
    <section aria-label={title} className="min-w-0 rounded-md border border-line p-4">
      <h3 className="mb-3 flex flex-wrap items-center gap-2 font-semibold">
        {title}
        <Badge tone={validity.tone}>{validity.text}</Badge>
        {facts.self_signed && <Badge>Self-signed</Badge>}
      </h3>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
        <Fact label="Subject">{facts.subject}</Fact>
        <Fact label="Issuer">{facts.issuer}</Fact>
        <Fact label="Valid from">{formatTime(facts.not_before)}</Fact>
        <Fact label="Valid until">{formatTime(facts.not_after)}</Fact>
        <Fact label="Key">{facts.key_type}</Fact>
        <Fact label="Serial" mono>
          {facts.serial}
        </Fact>
        <Fact label="SHA-256 fingerprint" mono copy={facts.sha256_fingerprint}>
          {facts.sha256_fingerprint}
        </Fact>
        <Fact label="Public key pin (SHA-256)" mono copy={facts.public_key_sha256}>
          {facts.public_key_sha256}
        </Fact>
      </dl>
    </section>
  );
}

function Fact({
  label,
  children,
  mono = false,
  copy,
}: {
  label: string;
  children: string;
  mono?: boolean;
  copy?: string;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <dt className="text-muted">{label}</dt>
      <dd className="flex min-w-0 items-start gap-2">
        <span className={`min-w-0 ${mono ? "font-mono text-xs leading-5 break-all" : "break-words"}`}>{children || "—"}</span>
        {copy && (
          <Button
            variant="ghost"
            className="shrink-0 px-2! py-0.5! text-xs"
            aria-label={`Copy ${label}`}
            onClick={() => navigator.clipboard?.writeText(copy).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? "Copied" : "Copy"}
          </Button>
        )}
      </dd>
    </>
  );
}
