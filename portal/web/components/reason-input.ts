// The reason every change carries into the audit log: one labelled text input, the same on every
// form that asks for it.
import type { ComponentChildren } from 'preact';
import { html } from '../html.ts';

export function ReasonInput(props: {
  readonly value: string;
  readonly onValue: (value: string) => void;
  readonly size: number;
  readonly required?: boolean;
  readonly label?: ComponentChildren;
}) {
  return html`<label
    >${props.label ?? 'Reason'}
    <input
      name="reason"
      required=${props.required ?? true}
      size=${props.size}
      maxlength="500"
      value=${props.value}
      onInput=${(e: Event) => props.onValue((e.currentTarget as HTMLInputElement).value)}
  /></label>`;
}
