import { useId, useState } from "react";
import { fieldError } from "../../api/errors";
import { Button } from "../../components/Button";
import { FormAlert } from "../../components/FormAlert";
import { formatTime } from "../../lib/time";
import { useAddComment } from "./api";
import type { AlertComment } from "./types";

const maxLength = 4000;

/** The alert's comments, oldest first. */
export function CommentList({ comments }: { comments: readonly AlertComment[] }) {
  if (comments.length === 0) return <p className="text-sm text-muted">No comments yet.</p>;
  return (
    <ol aria-label="Comments" className="flex flex-col gap-3">
      {comments.map((comment) => (
        <li key={comment.id} className="rounded-md border border-line p-3">
          <p className="text-xs text-muted">
            <span className="font-medium text-ink">{comment.author}</span> · {formatTime(comment.created_at)}
          </p>
          <p className="mt-1 text-sm break-words whitespace-pre-wrap">{comment.text}</p>
        </li>
      ))}
    </ol>
  );
}

/** A comment box; the server's message about the text appears under it. */
export function CommentForm({ alertId }: { alertId: string }) {
  const [text, setText] = useState("");
  const add = useAddComment(alertId);
  const id = useId();
  const error = fieldError(add.error, "text");
  const empty = text.trim() === "";
  return (
    <form
      className="flex flex-col gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        if (empty) return;
        add.mutate(text, { onSuccess: () => setText("") });
      }}
    >
      <label htmlFor={id} className="text-sm font-medium text-ink">
        New comment
      </label>
      <textarea
        id={id}
        rows={3}
        maxLength={maxLength}
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        onChange={(event) => setText(event.target.value)}
        className="w-full rounded-md border border-line bg-panel px-3 py-2 text-sm text-ink placeholder:text-muted focus:border-accent aria-invalid:border-bad"
        placeholder="What did you find? What was done?"
      />
      <p id={`${id}-hint`} className={`text-xs ${error ? "text-bad" : "text-muted"}`}>
        {error ?? `${text.length.toLocaleString()} / ${maxLength.toLocaleString()} characters`}
      </p>
      <FormAlert error={add.error} fields={["text"]} />
      <div>
        <Button type="submit" variant="primary" busy={add.isPending} disabled={empty}>
          Add comment
        </Button>
      </div>
    </form>
  );
}
