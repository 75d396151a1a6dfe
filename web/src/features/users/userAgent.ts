/** "Chrome 140 on Linux" for a User-Agent header; the raw text (shortened) when it is not a browser
 * the portal knows; "unknown" for none. The full header stays available as a tooltip. */
export function describeUserAgent(header: string): string {
  const text = header.trim();
  if (!text) return "unknown";
  const browsers: [name: string, pattern: RegExp][] = [
    ["Edge", /Edg\/(\d+)/],
    ["Opera", /OPR\/(\d+)/],
    ["Firefox", /Firefox\/(\d+)/],
    ["Chromium", /Chromium\/(\d+)/],
    ["Chrome", /(?:Chrome|CriOS)\/(\d+)/],
    ["Safari", /Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//],
  ];
  const systems: [name: string, pattern: RegExp][] = [
    ["Android", /Android/],
    ["iOS", /iPhone|iPad|iPod/],
    ["Windows", /Windows/],
    ["macOS", /Mac OS X|Macintosh/],
    ["ChromeOS", /CrOS/],
    ["Linux", /Linux/],
  ];
  for (const [name, pattern] of browsers) {
    const match = pattern.exec(text);
    if (!match) continue;
    const system = systems.find(([, p]) => p.test(text))?.[0];
    return `${name} ${match[1]}${system ? ` on ${system}` : ""}`;
  }
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
