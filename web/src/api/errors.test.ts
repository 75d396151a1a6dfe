import { describe, expect, it } from "vitest";
import {
  ApiError,
  describeError,
  errorFromResponse,
  fieldError,
  needsFormAlert,
  problemsHeadline,
  unplacedProblems,
} from "./errors";

describe("errorFromResponse", () => {
  it("keeps the server's code, message and field", () => {
    const error = errorFromResponse(
      400,
      JSON.stringify({ error: { code: "invalid_argument", message: "too short", field: "password" } }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe("invalid_argument");
    expect(fieldError(error, "password")).toBe("too short");
    expect(fieldError(error, "username")).toBeUndefined();
  });

  it("never shows a non-JSON body to a person", () => {
    const error = errorFromResponse(502, "<html><body>Bad gateway</body></html>");
    expect(error.message).toBe("The server had a problem. Please try again.");
    expect(describeError(error)).not.toContain("<html>");
  });
});

/** A refused feed definition as the server answers it (POST /api/v1/firewall/feeds). */
const refusedFeed = JSON.stringify({
  error: {
    code: "invalid_argument",
    message: "the feed definition has 3 errors: name: bad name; source: not a URL; description: too long",
    field: "name",
  },
  problems: [
    { severity: "error", code: "invalid_name", path: "name", message: "bad name" },
    { severity: "error", code: "invalid_source", path: "source", message: "not a URL" },
    { severity: "error", code: "invalid_text", path: "description", message: "too long" },
  ],
});

describe("refusals with problems", () => {
  it("keeps every problem with its path, severity, code and rule", () => {
    const error = errorFromResponse(
      400,
      JSON.stringify({
        error: { code: "invalid_policy", message: "the policy has 1 error", field: "document" },
        problems: [
          { severity: "error", code: "out_of_range", path: "chains.input.rules[1].ports", rule_id: "web", rule_index: 1, message: "a port must be 1-65535" },
          { severity: "warning", code: "shadowed", message: "never matches", extra: true },
        ],
      }),
    );
    expect(error.problems).toEqual([
      { severity: "error", code: "out_of_range", path: "chains.input.rules[1].ports", rule_id: "web", rule_index: 1, message: "a port must be 1-65535" },
      { severity: "warning", code: "shadowed", message: "never matches" },
    ]);
  });

  it("leaves out what does not read as a problem, and has none without the list", () => {
    const error = errorFromResponse(
      400,
      JSON.stringify({ error: { code: "x", message: "m" }, problems: [null, "text", { path: "name" }, { message: "" }, { message: "kept", path: 3, severity: "fatal" }] }),
    );
    expect(error.problems).toEqual([{ message: "kept" }]);
    expect(errorFromResponse(400, JSON.stringify({ error: { code: "x", message: "m" }, problems: { message: "no" } })).problems).toEqual([]);
    expect(errorFromResponse(400, JSON.stringify({ error: { code: "x", message: "m" } })).problems).toEqual([]);
    expect(errorFromResponse(400, "[1, 2]").message).toBe("The request failed (400).");
  });

  it("shows each problem next to its field, not only the first", () => {
    const error = errorFromResponse(400, refusedFeed);
    expect(fieldError(error, "name")).toBe("bad name");
    expect(fieldError(error, "source")).toBe("not a URL");
    expect(fieldError(error, "description")).toBe("too long");
    expect(fieldError(error, "column")).toBeUndefined();
  });

  it("joins several problems of one field", () => {
    const error = new ApiError(400, "invalid_argument", "two", "source", [
      { path: "source", message: "first" },
      { path: "source", message: "second" },
    ]);
    expect(fieldError(error, "source")).toBe("first; second");
  });

  it("lists under the form's error only the problems no field shows", () => {
    const error = errorFromResponse(400, refusedFeed);
    expect(unplacedProblems(error, ["name", "source", "description"])).toEqual([]);
    expect(needsFormAlert(error, ["name", "source", "description"])).toBe(false);
    expect(unplacedProblems(error, ["name"]).map((p) => p.path)).toEqual(["source", "description"]);
    expect(needsFormAlert(error, ["name"])).toBe(true);
    expect(problemsHeadline(error, ["name"])).toBe("The server refused it: 3 problems (1 shown at its field).");
    expect(problemsHeadline(error, [])).toBe("The server refused it: 3 problems.");
    expect(problemsHeadline(error, ["name", "source"])).toBe("The server refused it: 3 problems (2 shown at their fields).");
  });

  it("keeps the message of a single problem and of errors without problems", () => {
    const single = new ApiError(400, "invalid_argument", "not a URL", "source", [{ path: "source", message: "not a URL" }]);
    expect(problemsHeadline(single, [])).toBe("not a URL");
    expect(needsFormAlert(single, ["source"])).toBe(false);
    const plain = new ApiError(409, "conflict", "taken", "name");
    expect(needsFormAlert(plain, ["name"])).toBe(false);
    expect(needsFormAlert(plain, ["source"])).toBe(true);
    expect(needsFormAlert(new TypeError("offline"), ["name"])).toBe(true);
    expect(needsFormAlert(null, [])).toBe(false);
  });
});
