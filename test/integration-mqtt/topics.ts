// The MQTT topics of the rig's routers: the ISP's prefix, the router under test and a second
// identity for the ACL checks. The topic names themselves are the contract's (contract/topics.ts).
import { DEFAULT_TOPIC_PREFIX, topicsFor, type Topics } from '../../contract/topics.ts';

export type { Topics };
export const PREFIX = DEFAULT_TOPIC_PREFIX;
/** The router under test and a second identity for the ACL checks. */
export const ROUTER = 'router-a';
export const OTHER_ROUTER = 'router-b';

export const topics = (id: string): Topics => topicsFor(PREFIX, id);

export const T = topics(ROUTER);
