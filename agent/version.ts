// The agent's version, set by esbuild from package.json; 'dev' when run from source.
declare const __AGENT_VERSION__: string | undefined;

export const AGENT_VERSION: string =
  typeof __AGENT_VERSION__ !== 'undefined' ? __AGENT_VERSION__ : 'dev';
