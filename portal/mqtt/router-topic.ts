// `<prefix>/<device-id>/<kind>`: which router a message is from and what it is.
export type RouterTopicKind = 'state' | 'status' | 'reply';

/** Device ids the portal accepts in topics (the agent's are 12 hex digits or a configured id). */
export const DEVICE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function parseRouterTopic(
  prefix: string,
  topic: string,
): { id: string; kind: RouterTopicKind } | null {
  if (!topic.startsWith(`${prefix}/`)) return null;
  const rest = topic.slice(prefix.length + 1).split('/');
  if (rest.length !== 2) return null;
  const [id, kind] = rest as [string, string];
  if (!DEVICE_ID.test(id)) return null;
  return kind === 'state' || kind === 'status' || kind === 'reply' ? { id, kind } : null;
}

/** Subscriptions, as `$share/<group>/...` when several instances split the load. */
export function ingestTopics(prefix: string, shareGroup: string | undefined): string[] {
  const share = shareGroup ? `$share/${shareGroup}/` : '';
  return ['state', 'status', 'reply'].map((kind) => `${share}${prefix}/+/${kind}`);
}
