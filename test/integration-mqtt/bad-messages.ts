// Messages the agent must refuse, each with the error code its reply must carry and the version
// or id it may echo: the table the control suite sends one by one.

export interface BadMessage {
  readonly label: string;
  readonly topic: 'desired' | 'cmd';
  readonly payload: string | { size: number };
  readonly code: string;
  /** The version or id the reply names. */
  readonly echo: number | string | null;
}

export const BAD_MESSAGES: readonly BadMessage[] = [
  { label: 'older version', topic: 'desired', payload: '{"version":2,"enabled":false}', code: 'stale_version', echo: 2 },
  { label: 'malformed JSON', topic: 'desired', payload: '{"version":5,"enabled":', code: 'malformed_json', echo: null },
  { label: 'JSON that is not an object', topic: 'desired', payload: '[5,false]', code: 'malformed_json', echo: null },
  { label: 'unknown field', topic: 'desired', payload: '{"version":5,"enabled":false,"enable":false}', code: 'unknown_field', echo: 5 },
  { label: 'invalid relay address', topic: 'desired', payload: '{"version":5,"enabled":false,"allow":["203.0.113.300"]}', code: 'invalid_address', echo: 5 },
  { label: 'invalid port', topic: 'desired', payload: '{"version":5,"enabled":false,"ports":[0]}', code: 'invalid_port', echo: 5 },
  { label: 'version not an integer', topic: 'desired', payload: '{"version":"5","enabled":false}', code: 'invalid_version', echo: null },
  { label: 'empty payload (the ISP cleared the retained message)', topic: 'desired', payload: '', code: 'malformed_json', echo: null },
  { label: 'allow-all relay prefix', topic: 'desired', payload: '{"version":5,"enabled":true,"allow":["0.0.0.0/0"]}', code: 'invalid_address', echo: 5 },
  { label: '1 MB payload', topic: 'desired', payload: { size: 1024 * 1024 }, code: 'payload_too_large', echo: null },
  // A JWS the router cannot verify: nothing of its payload is echoed (it is anyone's text).
  { label: 'signed token but no key configured', topic: 'desired', payload: 'eyJhbGciOiJFZERTQSJ9.eyJ2ZXJzaW9uIjo1fQ.c2ln', code: 'no_verify_key', echo: null },
  { label: 'unknown command', topic: 'cmd', payload: '{"id":"c-bad","op":"reboot"}', code: 'unknown_op', echo: 'c-bad' },
  { label: 'command with an unknown field', topic: 'cmd', payload: '{"id":"c-bad2","op":"report","force":true}', code: 'unknown_field', echo: 'c-bad2' },
  { label: '1 MB command', topic: 'cmd', payload: { size: 1024 * 1024 }, code: 'payload_too_large', echo: null },
]; // prettier-ignore
