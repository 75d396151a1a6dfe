import { useEffect, useState } from "react";

/** The time, renewed every `everyMs`, so that "5 min ago" texts and time filters move on. */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
