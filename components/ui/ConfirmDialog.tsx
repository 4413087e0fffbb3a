"use client";
/**
 * A confirmation for a destructive action, as a native modal <dialog>: the
 * browser traps focus inside, Escape cancels, and focus returns to the
 * control that opened it. The cancel button takes focus first, so Enter
 * alone never destroys anything.
 */
import { useEffect, useId, useRef } from "react";

export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  body?: React.ReactNode;
  confirm: string;
  cancel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const { open, onCancel } = props;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      cancelRef.current?.focus();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={props.body ? bodyId : undefined}
      onCancel={(e) => (e.preventDefault(), onCancel())}
      onClose={() => open && onCancel()}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <h2 id={titleId} className="text-base font-semibold">
        {props.title}
      </h2>
      {props.body ? (
        <div id={bodyId} className="mt-2 text-sm text-slate-700 dark:text-slate-300">
          {props.body}
        </div>
      ) : null}
      <div className="mt-4 flex justify-end gap-2">
        <button
          ref={cancelRef}
          type="button"
          onClick={onCancel}
          className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
        >
          {props.cancel}
        </button>
        <button
          type="button"
          onClick={props.onConfirm}
          data-testid="confirm"
          className="rounded-lg bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600"
        >
          {props.confirm}
        </button>
      </div>
    </dialog>
  );
}
