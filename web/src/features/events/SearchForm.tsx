import { useEffect, useRef, useState } from "react";
import { Button } from "../../components/Button";
import { SelectField, TextField } from "../../components/Field";
import { HostFilter } from "./HostFilter";
import { emptySearch, maxFieldFilters, ranges, searchProblems, writeSearch, type EventSearch, type RangeValue } from "./search";

// Hints for the inputs; any type (or prefix ending in ".") and any field name work.
const knownTypes = ["log", "fim", "fim.batch", "process.start", "network.connection", "collector.stats", "package.", "port.", "user.", "inventory."];
const knownFields = [
  "message",
  "event.action",
  "event.category",
  "event.module",
  "event.outcome",
  "source.ip",
  "source.port",
  "destination.ip",
  "destination.port",
  "user.name",
  "user.target.name",
  "process.name",
  "process.pid",
  "process.executable",
  "process.command_line",
  "process.parent.name",
  "file.path",
  "file.hash.sha256",
  "log.file.path",
  "network.direction",
];

/**
 * The search form. It edits a draft; "Search" puts it in the URL (which runs it), so a search
 * can be bookmarked and the back button steps through searches. Problems the portal can see
 * (a field name the server would refuse, a range that ends before it starts) are shown at once.
 */
export function SearchForm({ search, onSearch }: { search: EventSearch; onSearch: (search: EventSearch) => void }) {
  const [draft, setDraft] = useState(search);
  const [checked, setChecked] = useState(false);
  const urlText = writeSearch({ ...search, offset: 0 }).toString();
  // A search from elsewhere (back button, "filter by this field"): show it. The URL's text is
  // the search's identity; `search` itself is a new object on every render.
  const latest = useRef(search);
  latest.current = search;
  useEffect(() => {
    setDraft(latest.current);
    setChecked(false);
  }, [urlText]);

  const problems = searchProblems(draft);
  const invalid = problems.fields.some(Boolean) || problems.range !== undefined;
  const set = (change: Partial<EventSearch>) => setDraft((d) => ({ ...d, ...change }));
  const setField = (index: number, change: Partial<EventSearch["fields"][number]>) =>
    setDraft((d) => ({ ...d, fields: d.fields.map((f, i) => (i === index ? { ...f, ...change } : f)) }));

  return (
    <form
      role="search"
      aria-label="Search events"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        setChecked(true);
        if (!invalid) onSearch({ ...draft, offset: 0 });
      }}
      className="flex flex-col gap-4"
    >
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4 lg:items-start">
        <TextField
          label="Text"
          type="search"
          placeholder="Anywhere in the event"
          autoComplete="off"
          value={draft.q}
          onChange={(e) => set({ q: e.target.value })}
        />
        <TextField
          label="Type"
          placeholder="log, fim, process.start, package."
          list="event-types"
          autoComplete="off"
          value={draft.type}
          onChange={(e) => set({ type: e.target.value })}
        />
        <datalist id="event-types">
          {knownTypes.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <HostFilter agentId={draft.agent} onChange={(agent) => set({ agent })} />
        <SelectField
          label="Time range"
          value={draft.range}
          onChange={(e) => set({ range: e.target.value as RangeValue })}
        >
          {ranges.map((range) => (
            <option key={range.value} value={range.value}>
              {range.label}
            </option>
          ))}
        </SelectField>
        {draft.range === "custom" && (
          <>
            <TextField label="From" type="datetime-local" value={draft.from} onChange={(e) => set({ from: e.target.value })} />
            <TextField
              label="To"
              type="datetime-local"
              value={draft.to}
              error={checked || (draft.from && draft.to) ? problems.range : undefined}
              onChange={(e) => set({ to: e.target.value })}
            />
          </>
        )}
      </div>

      <div className="flex flex-col gap-2">
        {draft.fields.map((field, index) => (
          <fieldset
            // Rows have no id of their own; their position is what the user sees.
            key={index}
            aria-label={`Field filter ${index + 1}`}
            className="grid grid-cols-[1fr_auto] items-end gap-2 sm:grid-cols-[1fr_auto_1fr_auto]"
          >
            <TextField
              label="Field"
              list="event-fields"
              placeholder="source.ip"
              autoComplete="off"
              value={field.name}
              error={problems.fields[index] && (checked || field.name) ? problems.fields[index] : undefined}
              onChange={(e) => setField(index, { name: e.target.value })}
            />
            <span aria-hidden="true" className="hidden pb-2 text-muted sm:block">
              =
            </span>
            <TextField
              label="Value"
              placeholder="203.0.113.9"
              autoComplete="off"
              value={field.value}
              onChange={(e) => setField(index, { value: e.target.value })}
            />
            <Button
              variant="ghost"
              aria-label={`Remove field filter ${index + 1}`}
              onClick={() => setDraft((d) => ({ ...d, fields: d.fields.filter((_, i) => i !== index) }))}
            >
              Remove
            </Button>
          </fieldset>
        ))}
        <datalist id="event-fields">
          {knownFields.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>

      <div className="flex flex-wrap gap-2">
        <Button type="submit" variant="primary">
          Search
        </Button>
        <Button
          disabled={draft.fields.length >= maxFieldFilters}
          onClick={() => setDraft((d) => ({ ...d, fields: [...d.fields, { name: "", value: "" }] }))}
        >
          Add field filter
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setDraft(emptySearch);
            onSearch(emptySearch);
          }}
        >
          Clear
        </Button>
        {draft.fields.length >= maxFieldFilters && (
          <p className="self-center text-xs text-muted">At most {maxFieldFilters} field filters.</p>
        )}
      </div>
    </form>
  );
}
