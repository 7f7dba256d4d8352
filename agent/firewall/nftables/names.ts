// Every name the nftables backend uses, in one place. The agent owns `table inet op25b` alone:
// nothing else should put objects into it, and fw4 start/reload never touches it.
export const FAMILY = 'inet';
export const TABLE = 'op25b';
/** How the backend lists its table (cli/early-start.ts may start it early). */
export const LIST_ARGV: readonly string[] = ['nft', '-j', 'list', 'table', FAMILY, TABLE];

export const CHAIN_FORWARD = 'forward';
export const CHAIN_OUTPUT = 'output';
export const CHAIN_BLOCK = 'block';

export const SET_WAN_DEVICES = 'wan_devices';
export const SET_PORTS = 'ports';
export const SET_RELAYS_V4 = 'relays_v4';
export const SET_RELAYS_V6 = 'relays_v6';
export const SET_SOURCES_V4 = 'sources_v4';
export const SET_SOURCES_V6 = 'sources_v6';

export const COUNTER_BLOCKED = 'blocked';

// fw4's filter chains sit at priority 0 ("filter"); ours run just before them. A drop in any base
// chain is final in nftables, so fw4 accepting the packet later cannot undo the block.
export const BASE_PRIORITY = -10;
// Per-source sets: enough for any home LAN; entries idle for an hour expire.
export const SOURCES_SIZE = 4096;
export const SOURCES_TIMEOUT_S = 3600;
