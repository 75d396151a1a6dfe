// Answers of /api/v1/settings/auth and /api/v1/settings/certificates.

/** The facts of one X.509 certificate. Times are ISO 8601 UTC. */
export interface CertificateFacts {
  /** RFC 2253, e.g. "CN=localhost,O=SentinelSecure". */
  subject: string;
  issuer: string;
  /** Lower-case hex. */
  serial: string;
  not_before: string;
  not_after: string;
  /** "AB:CD:…" as `openssl x509 -fingerprint -sha256` prints it. */
  sha256_fingerprint: string;
  /** Lower-case hex SHA-256 of the public key: the pin that enrolment tokens carry. */
  public_key_sha256: string;
  /** "EC P-256", "RSA 2048", "Ed25519", … */
  key_type: string;
  self_signed: boolean;
}

/** GET /api/v1/settings/certificates. */
export interface Certificates {
  gateway: CertificateFacts;
  agent_ca: CertificateFacts;
  /** e.g. "1.3". */
  tls_min_version: string;
}

/** GET /api/v1/settings/auth. The session lifetimes come from the server config (read-only here);
 * a server built before they were added leaves them out. */
export interface AuthSettings {
  require_2fa_roles: string[];
  session_idle_minutes?: number;
  session_absolute_hours?: number;
}
