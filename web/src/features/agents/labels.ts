// Labels as people type them: "env=prod, team=web". A value with a comma, a quote or surrounding
// spaces is written in double quotes ("a, b"), with \" and \\ inside; everything else is literal.

export type LabelParse = { labels: Record<string, string>; error?: undefined } | { labels?: undefined; error: string };

/** Reads "key=value, key=value" (commas or new lines between pairs); keys are checked by the server. */
export function parseLabels(text: string): LabelParse {
  const labels: Record<string, string> = {};
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t")) i++;
  };
  while (i < text.length) {
    skipSpace();
    if (text[i] === "," || text[i] === "\n" || text[i] === "\r") {
      i++;
      continue;
    }
    if (i >= text.length) break;
    const keyStart = i;
    while (i < text.length && !"=,\n\r".includes(text[i] ?? "")) i++;
    const key = text.slice(keyStart, i).trim();
    if (text[i] !== "=") return { error: `"${key}" has no value: write key=value.` };
    if (!key) return { error: "A label has no key: write key=value." };
    i++; // the "="
    skipSpace();
    let value = "";
    if (text[i] === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i++];
        if (c === "\\" && i < text.length) value += text[i++];
        else if (c === '"') {
          closed = true;
          break;
        } else value += c;
      }
      if (!closed) return { error: `The value of "${key}" has no closing quote.` };
      skipSpace();
      if (i < text.length && !",\n\r".includes(text[i] ?? "")) {
        return { error: `Put a comma after the quoted value of "${key}".` };
      }
    } else {
      const valueStart = i;
      while (i < text.length && !",\n\r".includes(text[i] ?? "")) i++;
      value = text.slice(valueStart, i).trim();
    }
    if (Object.hasOwn(labels, key)) return { error: `The label "${key}" is given twice.` };
    labels[key] = value;
  }
  return { labels };
}

function needsQuotes(value: string): boolean {
  return /[,"\\\n\r]/.test(value) || value !== value.trim() || value.startsWith('"');
}

/** Labels as parseLabels reads them back, keys in order. */
export function formatLabels(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((key) => {
      const value = labels[key] ?? "";
      return needsQuotes(value) ? `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `${key}=${value}`;
    })
    .join(", ");
}

/** The `labels` of a PATCH that turns `before` into `after`: changed and new labels, null for removed. */
export function labelPatch(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(after)) {
    if (before[key] !== value || !Object.hasOwn(before, key)) patch[key] = value;
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) patch[key] = null;
  }
  return patch;
}
