// The new-scan form as a request body (POST /api/v1/scans), with the mistakes the form can catch
// before asking. Pure.

import { splitTargets } from "./scope";
import type { NewScan, ScanProfile } from "./types";

/** Jobs over this many addresses need "confirm_large" (src/scan: kLargeScanAddresses). */
export const largeScanAddresses = 65536n;

export interface NewScanForm {
  targets: string;
  profile: ScanProfile | "custom";
  /** The port list of the custom profile: "22,80,443", "1-1024", "top200", "all". */
  ports: string;
  confirmLarge: boolean;
}

export type NewScanResult = { body: NewScan } | { field: "targets" | "ports"; message: string };

/** The body to send, or the field at fault with a sentence for it. */
export function newScanBody(form: NewScanForm): NewScanResult {
  const targets = splitTargets(form.targets);
  if (targets.length === 0) return { field: "targets", message: "Enter at least one address, range, CIDR or host name." };
  const body: NewScan = { targets };
  if (form.profile === "custom") {
    const ports = form.ports.replace(/\s+/g, "");
    if (!ports) return { field: "ports", message: "List the ports to scan, e.g. 22,80,443 or 1-1024." };
    body.ports = ports;
  } else {
    body.profile = form.profile;
  }
  if (form.confirmLarge) body.confirm_large = true;
  return { body };
}
