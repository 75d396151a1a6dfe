import { useEffect, useState } from "react";

/** `value` once it has stopped changing for `ms`: the server is asked when typing pauses. Values
 * are compared as JSON, so a new object with the same content does not restart the wait. */
export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  const text = JSON.stringify(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(JSON.parse(text) as T), ms);
    return () => clearTimeout(timer);
  }, [text, ms]);
  return settled;
}
