import { describe, expect, it } from "vitest";
import { dataDirProblem, shellQuote, withDataDir } from "./enrolCommand";

// What POST /api/v1/agents/enroll-tokens answers (src/agents/enrollment_tokens.cpp).
const server =
  "sentinel-agent --server https://sentinel.example:8443 --enroll-token se1.AbC-_x.f00d --data-dir /var/lib/sentinel-agent";

describe("withDataDir", () => {
  it("keeps the server's command when the directory is the default", () => {
    expect(withDataDir(server, "/var/lib/sentinel-agent")).toBe(server);
  });

  it("replaces only the data directory, keeping URL and token exactly", () => {
    expect(withDataDir(server, "/opt/sentinel/data")).toBe(
      "sentinel-agent --server https://sentinel.example:8443 --enroll-token se1.AbC-_x.f00d --data-dir /opt/sentinel/data",
    );
  });

  it("quotes a directory the shell would split or expand", () => {
    expect(withDataDir(server, "/srv/my agent/$HOME")).toBe(
      "sentinel-agent --server https://sentinel.example:8443 --enroll-token se1.AbC-_x.f00d --data-dir '/srv/my agent/$HOME'",
    );
    expect(withDataDir(server, "/srv/it's")).toMatch(/--data-dir '\/srv\/it'\\''s'$/);
  });

  it("replaces a quoted or = form, and appends the flag when the command has none", () => {
    expect(withDataDir("sentinel-agent --data-dir '/a b' --x", "/c")).toBe("sentinel-agent --data-dir /c --x");
    expect(withDataDir("sentinel-agent --data-dir=/a --x", "/c")).toBe("sentinel-agent --data-dir /c --x");
    expect(withDataDir("sentinel-agent --server u --enroll-token t ", "/d")).toBe(
      "sentinel-agent --server u --enroll-token t --data-dir /d",
    );
  });

  it("does not treat $ patterns in the directory as replacement patterns", () => {
    expect(withDataDir(server, "/x/$&")).toContain("--data-dir '/x/$&'");
  });
});

describe("shellQuote and dataDirProblem", () => {
  it("leaves plain paths bare", () => {
    expect(shellQuote("/var/lib/sentinel-agent")).toBe("/var/lib/sentinel-agent");
  });

  it("accepts absolute paths only", () => {
    expect(dataDirProblem("/var/lib/x")).toBeUndefined();
    expect(dataDirProblem("")).toMatch(/Give the directory/);
    expect(dataDirProblem("var/lib")).toMatch(/absolute/);
    expect(dataDirProblem("/a\nb")).toMatch(/control characters/);
  });
});
