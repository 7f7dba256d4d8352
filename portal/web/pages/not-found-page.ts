import { html } from '../html.ts';
import { Link } from '../navigation.ts';

export function NotFoundPage(props: { what?: string }) {
  return html`<h1>Not found</h1>
    <p>${props.what ?? 'There is no such page.'} <${Link} href="/">Back to the overview<//></p>`;
}
