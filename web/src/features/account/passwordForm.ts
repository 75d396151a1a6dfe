/** What the portal checks before sending a new password (the server checks the policy itself):
 * the two entries agree. A message for the confirmation field, or undefined. */
export function confirmationError(newPassword: string, confirmation: string): string | undefined {
  if (confirmation.length === 0) return "Type the new password again.";
  return newPassword === confirmation ? undefined : "The two new passwords differ.";
}
