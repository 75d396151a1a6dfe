import { Button } from "../../components/Button";
import { TextField } from "../../components/Field";
import type { AuditFilter } from "./filter";

// Actions the server records; a hint for the action field, which also takes any prefix ("user.").
const knownActions = [
  "agent.",
  "auth.login",
  "auth.logout",
  "role.create",
  "role.delete",
  "role.update",
  "session.revoke",
  "settings.update",
  "token.create",
  "token.revoke",
  "totp.",
  "user.",
  "user.create",
  "user.delete",
  "user.password_change",
  "user.unlock",
];

/** The audit filters: actor and action go to the server, the rest is applied to loaded entries. */
export function AuditFilters({
  filter,
  onChange,
}: {
  filter: AuditFilter;
  onChange: (filter: AuditFilter) => void;
}) {
  const set = (key: keyof AuditFilter) => (e: { target: { value: string } }) => onChange({ ...filter, [key]: e.target.value });
  const any = Object.values(filter).some((v) => v !== "");
  return (
    <form
      role="search"
      aria-label="Filter audit entries"
      onSubmit={(e) => e.preventDefault()}
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[1fr_1fr_1.5fr_auto_auto_auto] lg:items-end"
    >
      <TextField label="Actor" placeholder="username" value={filter.actor} onChange={set("actor")} autoComplete="off" />
      <TextField
        label="Action"
        placeholder="e.g. user."
        list="audit-actions"
        value={filter.action}
        onChange={set("action")}
        autoComplete="off"
      />
      <datalist id="audit-actions">
        {knownActions.map((action) => (
          <option key={action} value={action} />
        ))}
      </datalist>
      <TextField
        label="Target or text"
        type="search"
        placeholder="user:2, 10.0.0.5, …"
        value={filter.text}
        onChange={set("text")}
        autoComplete="off"
      />
      <TextField label="From" type="datetime-local" value={filter.from} onChange={set("from")} />
      <TextField label="To" type="datetime-local" value={filter.to} onChange={set("to")} />
      <Button
        variant="ghost"
        disabled={!any}
        onClick={() => onChange({ actor: "", action: "", text: "", from: "", to: "" })}
      >
        Clear filters
      </Button>
    </form>
  );
}
