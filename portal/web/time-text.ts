// Times as the NOC reads them: UTC, to the second, the same on every screen.
export function timeText(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** An ISO time as a `datetime-local` input's value (UTC, minutes). */
export function localInputValue(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString().slice(0, 16);
}

/** A `datetime-local` value, read as UTC like everything the pages show, as an ISO time. */
export function isoFromInput(value: string): string {
  if (!value) return '';
  const date = new Date(`${value}:00Z`);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
