// Templates: htm bound to Preact. Values are escaped as text by Preact; the pages never set
// innerHTML, so a router's strings can never become markup.
export { html } from 'htm/preact';
