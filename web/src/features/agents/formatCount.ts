// Counts in the portal's text, which is English: "10,000", "1 package", "12 of 1,234 packages".

const number = new Intl.NumberFormat("en-US");

export function formatNumber(value: number): string {
  return number.format(value);
}

/** "1 agent", "10,000 agents", or "12 of 10,000 agents" when a filter hides some. */
export function formatCount(shown: number, total: number, singular: string, plural = `${singular}s`): string {
  const noun = total === 1 ? singular : plural;
  return shown === total ? `${formatNumber(total)} ${noun}` : `${formatNumber(shown)} of ${formatNumber(total)} ${noun}`;
}
