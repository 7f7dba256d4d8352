// A list paged by the service: the page's offset (usePager) and the buttons back and on by one
// page, each shown only when there is a page that way. Plain buttons: Tab, Enter and Space work.
import { useState } from 'preact/hooks';
import { html } from '../html.ts';

export interface Pager {
  readonly offset: number;
  readonly pageSize: number;
  setOffset(offset: number): void;
}

export function usePager(pageSize: number): Pager {
  const [offset, setOffset] = useState(0);
  return { offset, pageSize, setOffset };
}

export function PageButtons(props: {
  pager: Pager;
  total: number;
  /** The labels, e.g. "Previous" and "Next", or "Newer runs" and "Older runs". */
  back: string;
  on: string;
}) {
  const { offset, pageSize, setOffset } = props.pager;
  return html`${
    offset > 0 &&
    html`<button type="button" onClick=${() => setOffset(Math.max(0, offset - pageSize))}>
      ${props.back}
    </button>`
  }
  ${
    offset + pageSize < props.total &&
    html`<button type="button" onClick=${() => setOffset(offset + pageSize)}>${props.on}</button>`
  }`;
}
