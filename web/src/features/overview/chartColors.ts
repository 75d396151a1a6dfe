import { useEffect, useState } from "react";

/** The theme's colours as SVG needs them: recharts sets attributes, which cannot use var(). */
export interface ChartColors {
  accent: string;
  muted: string;
  line: string;
  ink: string;
  panel: string;
  raised: string;
  ok: string;
  warn: string;
}

function readColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(`--${name}`).trim();
  return {
    accent: read("accent"),
    muted: read("muted"),
    line: read("line"),
    ink: read("ink"),
    panel: read("panel"),
    raised: read("raised"),
    ok: read("ok"),
    warn: read("warn"),
  };
}

/**
 * The current theme colours, re-read when <html>'s class changes. Watching the element rather
 * than the theme context matters: the provider toggles the class in an effect that runs after
 * its children's effects, so a child reading on a theme change would get the old colours.
 */
export function useChartColors(): ChartColors {
  const [colors, setColors] = useState(readColors);
  useEffect(() => {
    const observer = new MutationObserver(() => setColors(readColors()));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);
  return colors;
}
