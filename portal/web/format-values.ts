// How the pages write numbers and times: one place, so every page reads the same.

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en');
}

/** `2026-12-01 14:03:07` in the browser's time zone; `—` for none. */
export function time(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** `5 min ago`, `3 h ago`, `2 d ago`. */
export function ago(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(s)) return String(iso);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function yesNo(value: boolean | null | undefined): string {
  return value === null || value === undefined ? '—' : value ? 'yes' : 'no';
}

/** A span of time in at most two units: `45 s`, `12 min`, `3 h 12 min`, `2 d 4 h`; `—` for none. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
