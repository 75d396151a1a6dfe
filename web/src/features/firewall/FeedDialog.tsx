import { useState, type FormEvent } from "react";
import { fieldError } from "../../api/errors";
import { useToast } from "../../app/toasts";
import { Button } from "../../components/Button";
import { Checkbox } from "../../components/Checkbox";
import { Dialog } from "../../components/Dialog";
import { SelectField, TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { useCreateFeed, useUpdateFeed } from "./api";
import { feedBody, feedFields, feedForm, type FeedFieldProblem, type FeedForm } from "./feeds";
import type { Feed, FeedFormat } from "./types";

/**
 * Adds a feed, or edits `feed` (every field but its name, which policies refer to). The server
 * checks the whole definition and names every problem at once; each shows at its field.
 */
export function FeedDialog({ open, feed, onClose }: { open: boolean; feed?: Feed | undefined; onClose: () => void }) {
  return (
    <Dialog open={open} title={feed ? `Edit feed ${feed.name}` : "Add a feed"} onClose={onClose} wide>
      <FeedFormView key={feed?.name ?? ""} feed={feed} onClose={onClose} />
    </Dialog>
  );
}

function FeedFormView({ feed, onClose }: { feed: Feed | undefined; onClose: () => void }) {
  const create = useCreateFeed();
  const update = useUpdateFeed();
  const save = feed ? update : create;
  const toast = useToast();
  const [form, setForm] = useState<FeedForm>(() => feedForm(feed));
  const [problem, setProblem] = useState<FeedFieldProblem | null>(null);
  const change = (next: Partial<FeedForm>) => {
    setForm((current) => ({ ...current, ...next }));
    setProblem(null);
  };
  const messageFor = (field: string) =>
    problem?.field === field ? problem.message : fieldError(save.error, field);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!feed) {
      const result = feedBody(form);
      if (!("body" in result)) {
        setProblem(result);
        return;
      }
      create.mutate(result.body, {
        onSuccess: (saved) => {
          toast(`Feed ${saved.name} added; the server fetches it now.`, "success");
          onClose();
        },
      });
      return;
    }
    const result = feedBody(form, feed);
    if (!("body" in result)) {
      setProblem(result);
      return;
    }
    if (Object.keys(result.body).length === 0) {
      onClose();
      return;
    }
    update.mutate(
      { name: feed.name, change: result.body },
      {
        onSuccess: (saved) => {
          toast(`Feed ${saved.name} saved.`, "success");
          onClose();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label={feed ? `Feed ${feed.name}` : "New feed"} className="flex flex-col gap-4" noValidate>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <TextField
          label="Name"
          value={form.name}
          onChange={(event) => change({ name: event.target.value })}
          error={messageFor("name")}
          readOnly={feed !== undefined}
          hint={feed ? "Policies name the feed by it: it cannot change." : "Policies name it in an address set's \"feed\"."}
          placeholder="abuse-ch"
          autoComplete="off"
          spellCheck={false}
          autoFocus={!feed}
        />
        <TextField
          label="Refresh every"
          value={form.refresh}
          onChange={(event) => change({ refresh: event.target.value })}
          error={messageFor("refresh_s")}
          hint="From 5m to 7d: 30m, 6h, 1d, or seconds."
          autoComplete="off"
          spellCheck={false}
        />
      </div>
      <TextField
        label="Source"
        value={form.source}
        onChange={(event) => change({ source: event.target.value })}
        error={messageFor("source")}
        hint="An http(s) URL, or the absolute path of a file in the server's feed directory (<data_dir>/feeds)."
        placeholder="https://feeds.example.org/blocklist.txt"
        autoComplete="off"
        spellCheck={false}
      />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField
          label="Format"
          value={form.format}
          onChange={(event) => change({ format: event.target.value as FeedFormat })}
          error={messageFor("format")}
        >
          <option value="plain">Plain: one address or network per line</option>
          <option value="csv">CSV: one column holds the address</option>
        </SelectField>
        {form.format === "csv" && (
          <TextField
            label="Column"
            value={form.column}
            onChange={(event) => change({ column: event.target.value })}
            error={messageFor("column")}
            hint="The header name, or the column's number counting from 1."
            placeholder="ip_address"
            autoComplete="off"
            spellCheck={false}
          />
        )}
      </div>
      <TextField
        label="Description"
        value={form.description}
        onChange={(event) => change({ description: event.target.value })}
        error={messageFor("description")}
        autoComplete="off"
      />
      <Checkbox
        label="Enabled"
        hint="A disabled feed is not fetched, and policies that name it get no networks from it."
        checked={form.enabled}
        onChange={(event) => change({ enabled: event.target.checked })}
      />
      {messageFor("enabled") && <p className="text-xs text-bad">{messageFor("enabled")}</p>}
      <FormAlert error={save.error} fields={feedFields(form.format)} />
      <div className="flex justify-end gap-2">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={save.isPending}>
          {feed ? "Save feed" : "Add feed"}
        </Button>
      </div>
    </form>
  );
}
