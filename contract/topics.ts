// The MQTT topic contract (docs/mqtt-contract.md): one subtree per router under the prefix.
export interface Topics {
  /** Retained presence, with a Last Will that flips it to offline. Router writes. */
  readonly state: string;
  /** Retained: what the router actually enforces. Router writes. */
  readonly status: string;
  /** Retained desired state. The ISP writes. */
  readonly desired: string;
  /** One-shot requests. The ISP writes. */
  readonly cmd: string;
  /** Answers to every request and desired-state change. Router writes. */
  readonly reply: string;
}

export const DEFAULT_TOPIC_PREFIX = 'op25b/v1';

export function topicsFor(prefix: string, deviceId: string): Topics {
  const base = `${prefix}/${deviceId}`;
  return {
    state: `${base}/state`,
    status: `${base}/status`,
    desired: `${base}/desired`,
    cmd: `${base}/cmd`,
    reply: `${base}/reply`,
  };
}
