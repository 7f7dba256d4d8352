// `datetime-local` inputs and the API's ISO times: both ways, in the browser's time zone, as the
// pages show times (format-values.ts).

/** An ISO time as a `datetime-local` input's value (to the minute). */
export function localInputValue(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
    `T${pad(d.getHours())}:${pad(d.getMinutes())}`
  );
}

/** A `datetime-local` value as an ISO time ('' for none or a bad one). */
export function isoFromInput(value: string): string {
  if (!value) return '';
  // Date-time forms without an offset are local time.
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
