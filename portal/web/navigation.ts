// Path-based navigation with the history API: links are real <a href> (open in a new tab works),
// a plain left click is taken over so the page is not reloaded.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.ts';

const CHANGE = 'op25b:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path and query; re-renders on navigation and on back/forward. */
export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const changed = () => setTick((n) => n + 1);
    window.addEventListener('popstate', changed);
    window.addEventListener(CHANGE, changed);
    return () => {
      window.removeEventListener('popstate', changed);
      window.removeEventListener(CHANGE, changed);
    };
  }, []);
  return { path: location.pathname, search: new URLSearchParams(location.search) };
}

function followLink(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey)
    return;
  if (anchor.origin !== location.origin || anchor.target) return;
  event.preventDefault();
  navigate(anchor.pathname + anchor.search);
}

export interface LinkProps {
  href: string;
  children?: unknown;
  class?: string;
  'aria-current'?: 'page' | undefined;
  'aria-label'?: string;
}

export function Link(props: LinkProps) {
  return html`<a ...${props} onClick=${followLink}>${props.children}</a>`;
}
