import { describe, expect, it } from "vitest";
import { describeChange, formatBytes } from "./changeText";
import type { InventoryChange } from "./types";

function change(section: string, kind: InventoryChange["kind"], key: string, before: object | null, after: object | null): InventoryChange {
  return {
    id: 1,
    time: "2026-11-25T12:00:00Z",
    section,
    kind,
    key,
    before: before as InventoryChange["before"],
    after: after as InventoryChange["after"],
  };
}

const pkg = (version: string) => ({ name: "openssl", version, arch: "amd64", source: "dpkg" });

describe("describeChange", () => {
  it("says which way a package moved, in dpkg's version order", () => {
    expect(describeChange(change("packages", "changed", "openssl:amd64", pkg("3.0.11-1~deb12u2"), pkg("3.0.13-1~deb12u1")))).toBe(
      "Package openssl upgraded 3.0.11-1~deb12u2 → 3.0.13-1~deb12u1",
    );
    expect(describeChange(change("packages", "changed", "openssl:amd64", pkg("1:3.0.2"), pkg("3.0.13")))).toBe(
      "Package openssl downgraded 1:3.0.2 → 3.0.13",
    );
    expect(describeChange(change("packages", "added", "openssl:amd64", null, pkg("3.0.13")))).toBe(
      "Package openssl 3.0.13 installed",
    );
    expect(describeChange(change("packages", "removed", "openssl:amd64", pkg("3.0.13"), null))).toBe(
      "Package openssl 3.0.13 removed",
    );
  });

  it("names ports with protocol, address and process", () => {
    const port = { protocol: "tcp", address: "::", port: 22, pid: 10, process: "sshd", uid: 0, user: "root" };
    expect(describeChange(change("listening", "added", "tcp [::]:22", null, port))).toBe("TCP port [::]:22 opened by sshd");
    expect(describeChange(change("listening", "removed", "tcp [::]:22", { ...port, address: "0.0.0.0", process: null }, null))).toBe(
      "TCP port 0.0.0.0:22 closed",
    );
  });

  it("lists the fields that changed, in units people read", () => {
    const disk = { mount_point: "/", device: "/dev/vda", fs_type: "ext4", total_bytes: 270553174016, free_bytes: 65176502272 };
    expect(describeChange(change("disks", "changed", "/", disk, { ...disk, free_bytes: 64_100_000_000 }))).toBe(
      "Disk / changed: free space 65.2 GB → 64.1 GB",
    );
    const user = { name: "alice", uid: 1000, gid: 1000, home: "/home/alice", shell: "/bin/sh" };
    expect(describeChange(change("users", "changed", "alice", user, { ...user, shell: "/bin/bash" }))).toBe(
      "User alice changed: shell /bin/sh → /bin/bash",
    );
    const group = { name: "sudo", gid: 27, members: ["alice"] };
    expect(describeChange(change("groups", "changed", "sudo", group, { ...group, members: ["alice", "bob"] }))).toBe(
      "Group sudo changed: members alice → alice, bob",
    );
  });

  it("describes users, processes, disks and sessions coming and going", () => {
    expect(describeChange(change("users", "added", "bob", null, { name: "bob" }))).toBe("User bob created");
    expect(describeChange(change("disks", "removed", "/mnt", { device: "/dev/sdb1", fs_type: "xfs" }, null))).toBe(
      "Disk /mnt unmounted (xfs on /dev/sdb1)",
    );
    const proc = { pid: 42, ppid: 1, uid: 0, user: "root", name: "cron", cmdline: "/usr/sbin/cron", start_time: 1 };
    expect(describeChange(change("processes", "removed", "42@1", proc, null))).toBe("Process cron (pid 42, root) exited");
    const session = { user: "alice", tty: "pts/0", host: "10.0.0.5", login_time: 1, pid: 9 };
    expect(describeChange(change("sessions", "added", "alice pts/0 1", null, session))).toBe(
      "alice logged in on pts/0 from 10.0.0.5",
    );
  });
});

describe("formatBytes", () => {
  it("uses powers of 1000", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1_500)).toBe("1.5 kB");
    expect(formatBytes(25_276_514_304)).toBe("25.3 GB");
  });
});
