// The MQTT topics of the rig's routers: the ISP's prefix, the router under test and a second
// identity for the ACL checks.

export const PREFIX = 'op25b/v1';
/** The router under test and a second identity for the ACL checks. */
export const ROUTER = 'router-a';
export const OTHER_ROUTER = 'router-b';

export interface Topics {
  readonly state: string;
  readonly status: string;
  readonly desired: string;
  readonly cmd: string;
  readonly reply: string;
}

export function topics(id: string): Topics {
  const base = `${PREFIX}/${id}`;
  return {
    state: `${base}/state`,
    status: `${base}/status`,
    desired: `${base}/desired`,
    cmd: `${base}/cmd`,
    reply: `${base}/reply`,
  };
}

export const T = topics(ROUTER);
