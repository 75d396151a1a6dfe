import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { HostFilter } from "../events/HostFilter";
import { defaultFilters, type AlertFilters } from "./filters";
import { statusLabel, statuses } from "./lifecycle";
import { severities, severityLabel } from "./severity";
import type { AlertStatus, Severity } from "./types";

/** The alert list's filters; every change goes to the URL at once (the caller's `onChange`). */
export function AlertFilterBar({
  filters,
  onChange,
}: {
  filters: AlertFilters;
  onChange: (change: Partial<AlertFilters>) => void;
}) {
  const toggle = (status: AlertStatus, checked: boolean) =>
    onChange({
      status: checked ? statuses.filter((s) => s === status || filters.status.includes(s)) : filters.status.filter((s) => s !== status),
    });
  const isDefault =
    filters.severity === "" &&
    filters.agent === "" &&
    filters.q === "" &&
    filters.status.length === defaultFilters.status.length &&
    defaultFilters.status.every((s) => filters.status.includes(s));
  return (
    <form
      role="search"
      aria-label="Filter alerts"
      onSubmit={(event) => event.preventDefault()}
      className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-[auto_minmax(10rem,1fr)_minmax(10rem,1fr)_minmax(12rem,1.5fr)_auto] lg:items-end"
    >
      <fieldset className="flex flex-col gap-1 sm:col-span-2 lg:col-span-1">
        <legend className="mb-1 text-sm font-medium text-ink">Status</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-2 py-1.5">
          {statuses.map((status) => (
            <label key={status} className="flex items-center gap-1.5 text-sm whitespace-nowrap text-ink">
              <input
                type="checkbox"
                className="h-4 w-4 accent-accent"
                checked={filters.status.includes(status)}
                onChange={(event) => toggle(status, event.target.checked)}
              />
              {statusLabel(status)}
            </label>
          ))}
        </div>
      </fieldset>
      <SelectField
        label="Minimum severity"
        value={filters.severity}
        onChange={(event) => onChange({ severity: event.target.value as Severity | "" })}
      >
        <option value="">Any severity</option>
        {severities.slice(1).map((severity) => (
          <option key={severity} value={severity}>
            {severity === "critical" ? "Critical" : `${severityLabel(severity)} or higher`}
          </option>
        ))}
      </SelectField>
      <HostFilter agentId={filters.agent} onChange={(agent) => onChange({ agent })} />
      <TextField
        label="Search"
        type="search"
        placeholder="Title, summary or entity"
        autoComplete="off"
        value={filters.q}
        onChange={(event) => onChange({ q: event.target.value })}
      />
      <Button variant="ghost" disabled={isDefault} onClick={() => onChange({ ...defaultFilters })}>
        Reset filters
      </Button>
    </form>
  );
}
