// Templates: htm bound to Preact. Values are escaped as text by Preact; the pages never set
// markup from strings, so a router's strings can never become elements.
export { html } from 'htm/preact';
