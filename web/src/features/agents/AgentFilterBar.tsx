import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { hasFilters, seenFilters, type AgentFilters, type SeenFilter } from "./filterAgents";

/** The list's filters. Choices for OS, version and group come from the loaded agents. */
export function AgentFilterBar({
  filters,
  choices,
  onChange,
  onClear,
}: {
  filters: AgentFilters;
  choices: { os: string[]; versions: string[]; groups: string[] };
  onChange: (change: Partial<AgentFilters>) => void;
  onClear: () => void;
}) {
  return (
    <div role="search" aria-label="Filter agents" className="grid grid-cols-2 items-end gap-3 md:grid-cols-4 xl:grid-cols-8">
      <div className="col-span-2">
        <TextField
          label="Search"
          type="search"
          placeholder="Hostname, ID or label"
          value={filters.search}
          onChange={(event) => onChange({ search: event.target.value })}
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <SelectField
        label="Status"
        value={filters.status}
        onChange={(event) => onChange({ status: event.target.value as AgentFilters["status"] })}
      >
        <option value="">Any status</option>
        <option value="online">Online</option>
        <option value="offline">Offline</option>
        <option value="revoked">Revoked</option>
      </SelectField>
      <SelectField label="Operating system" value={filters.os} onChange={(event) => onChange({ os: event.target.value })}>
        <option value="">Any OS</option>
        {choices.os.map((os) => (
          <option key={os} value={os}>
            {os}
          </option>
        ))}
      </SelectField>
      <SelectField label="Version" value={filters.version} onChange={(event) => onChange({ version: event.target.value })}>
        <option value="">Any version</option>
        {choices.versions.map((version) => (
          <option key={version} value={version}>
            {version}
          </option>
        ))}
      </SelectField>
      <SelectField label="Group" value={filters.group} onChange={(event) => onChange({ group: event.target.value })}>
        <option value="">Any group</option>
        {choices.groups.map((group) => (
          <option key={group} value={group}>
            {group}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Label"
        placeholder="key=value"
        value={filters.label}
        onChange={(event) => onChange({ label: event.target.value })}
        autoComplete="off"
        spellCheck={false}
      />
      <SelectField
        label="Last seen"
        value={filters.seen}
        onChange={(event) => onChange({ seen: event.target.value as SeenFilter })}
      >
        {seenFilters.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </SelectField>
      {hasFilters(filters) && (
        <div className="col-span-2 md:col-span-4 xl:col-span-8">
          <Button variant="ghost" onClick={onClear}>
            Clear filters
          </Button>
        </div>
      )}
    </div>
  );
}
