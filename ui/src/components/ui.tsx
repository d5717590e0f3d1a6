// Small building blocks every page uses: states (loading, empty, error), form fields that show the
// API's error next to the input it names, status badges, a confirmation dialog.
import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api';
import { statusText } from '../format';
import type { Reservation } from '../types';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

export function ErrorNote({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {prefix ? `${prefix}: ` : ''}
      {errorMessage(error)}
    </p>
  );
}

/** The message for `field` when `error` is about that input; forms show it under the input. */
export function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field === field ? (error.problem.detail ?? error.problem.title) : undefined;
}

/** An error that no input of the form claims is shown at the form's top. */
export function formError(error: unknown, fields: string[]): unknown {
  return error instanceof ApiError && error.field && fields.includes(error.field) ? undefined : error;
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: ReactNode };

export function Field({ label, error, hint, id, className, ...input }: FieldProps) {
  const auto = useId();
  const inputId = id ?? auto;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {hint ? (
        <small id={hintId} className="hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <small id={errorId} className="field-error" role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function StatusBadge({
  reservation,
  declineReason,
  audience = 'customer',
}: {
  reservation: Pick<Reservation, 'status' | 'cancelReason'>;
  declineReason?: string | null;
  audience?: 'customer' | 'staff';
}) {
  return (
    <span className={`badge badge-${reservation.status.toLowerCase()}`} data-status={reservation.status}>
      {statusText(reservation, declineReason, audience)}
    </span>
  );
}

/** A modal confirmation (native <dialog>: focus is trapped, Escape closes it). */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  busy?: boolean;
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={props.onClose} onCancel={props.onClose}>
      <h2 id={titleId}>{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      <div className="actions">
        {/* biome-ignore lint/a11y/noAutofocus: a confirmation dialog focuses its least destructive action (WAI-ARIA APG, dialog pattern) */}
        <button type="button" className="secondary" onClick={props.onClose} disabled={props.busy} autoFocus>
          {props.cancelLabel ?? 'Keep it'}
        </button>
        <button type="button" className={props.danger ? 'danger' : undefined} onClick={props.onConfirm} disabled={props.busy}>
          {props.busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
