// The read-only view of a policy document beside the editor: its chains and rules in words, read
// leniently from whatever the editor holds (the server is the judge of what is valid; a rule it
// would refuse still gets a row, so that its problems have a place to show). The JSON shape is
// src/firewall/policy/README.md.

import { readJson, type JsonSyntaxError } from "./jsonText";
import type { ChainName } from "./types";

export const chainNames: readonly ChainName[] = ["input", "output", "forward"];

/** One rule as the table shows it. `key` is "chain:index", what problems are grouped by. */
export interface RuleRow {
  key: string;
  chain: ChainName;
  index: number;
  id: string;
  enabled: boolean;
  source: string;
  destination: string;
  /** Services, or protocols with ports or ICMP types, and interfaces: "tcp 22, 80 · in eth*". */
  traffic: string;
  action: string;
  comment: string;
}

export interface ChainView {
  chain: ChainName;
  /** The default policy, "accept" when the chain is left out (as the server reads it). */
  policy: string;
  rules: RuleRow[];
}

/** "input:3": a rule's place, which problems and rows share. */
export function ruleKey(chain: ChainName, index: number): string {
  return `${chain}:${index}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value the document allows as "one or a list", as text: "22, 80-90, web". */
export function listText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(listText).filter(Boolean).join(", ");
  if (isObject(value)) {
    if ("not" in value) return `not ${listText(value.not)}`;
    return JSON.stringify(value);
  }
  return String(value);
}

function trafficText(rule: Record<string, unknown>): string {
  const parts: string[] = [];
  if (rule.service !== undefined) parts.push(`service ${listText(rule.service)}`);
  const protocols = listText(rule.protocol);
  const ports = listText(rule.ports);
  const icmp = listText(rule.icmp_types);
  if (protocols || ports || icmp) {
    parts.push([protocols, ports && `port ${ports}`, icmp && `type ${icmp}`].filter(Boolean).join(" "));
  }
  if (rule.in_interface !== undefined) parts.push(`in ${listText(rule.in_interface)}`);
  if (rule.out_interface !== undefined) parts.push(`out ${listText(rule.out_interface)}`);
  return parts.length > 0 ? parts.join(" · ") : "any";
}

function actionText(rule: Record<string, unknown>): string {
  const action = typeof rule.action === "string" ? rule.action : "";
  if (action !== "log" || !isObject(rule.log)) return action;
  const rate = typeof rule.log.rate === "string" ? ` ${rule.log.rate}` : "";
  return `log${rate}`;
}

function ruleRow(chain: ChainName, index: number, value: unknown): RuleRow {
  const rule = isObject(value) ? value : {};
  return {
    key: ruleKey(chain, index),
    chain,
    index,
    id: typeof rule.id === "string" ? rule.id : "",
    enabled: rule.enabled !== false,
    source: listText(rule.source) || "any",
    destination: listText(rule.destination) || "any",
    traffic: trafficText(rule),
    action: actionText(rule),
    comment: typeof rule.comment === "string" ? rule.comment : "",
  };
}

/** The three chains of a document with their rules; a missing or malformed part reads as empty. */
export function chainsOf(document: unknown): ChainView[] {
  const chains = isObject(document) && isObject(document.chains) ? document.chains : {};
  return chainNames.map((chain) => {
    const body = chains[chain];
    if (!isObject(body)) return { chain, policy: "accept", rules: [] };
    const rules = Array.isArray(body.rules) ? body.rules : body.rules === undefined ? [] : [body.rules];
    return {
      chain,
      policy: typeof body.policy === "string" ? body.policy : "accept",
      rules: rules.map((rule, index) => ruleRow(chain, index, rule)),
    };
  });
}

/** The editor's text read as a policy document: an object, or where the text goes wrong. */
export type Draft =
  | { ok: true; document: Record<string, unknown>; lines: ReadonlyMap<string, number> }
  | { ok: false; error: JsonSyntaxError };

export function readDraft(text: string): Draft {
  const reading = readJson(text);
  if (!reading.ok) return reading;
  if (!isObject(reading.value)) {
    return { ok: false, error: { message: "A policy document is a JSON object: { ... }.", line: 1, column: 1 } };
  }
  return { ok: true, document: reading.value, lines: reading.lines };
}

/** Lists of plain values up to this long stay on one line: "ports": [22, 80, 443]. */
const inlineListWidth = 72;

function formatValue(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((item) => item === null || typeof item !== "object")) {
      const inline = `[${value.map((item) => JSON.stringify(item)).join(", ")}]`;
      if (inline.length <= inlineListWidth) return inline;
    }
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${formatValue(item, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const lines = entries.map(([key, item]) => `${inner}${JSON.stringify(key)}: ${formatValue(item, inner)}`);
    return `{\n${lines.join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** The document as the editor shows it: two-space indentation, short lists of values on one line. */
export function documentText(document: unknown): string {
  return `${formatValue(document, "")}\n`;
}

/** What a new policy starts from: SSH in, everything else in dropped, the rest open. */
export const newPolicyTemplate = documentText({
  format: 1,
  description: "",
  chains: {
    input: {
      policy: "drop",
      rules: [{ id: "ssh", protocol: "tcp", ports: 22, action: "accept", comment: "SSH from anywhere" }],
    },
    output: { policy: "accept" },
    forward: { policy: "drop" },
  },
});
