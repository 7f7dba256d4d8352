// The first check of every message from the ISP, on the raw bytes: its size, then UTF-8. A payload
// that will be refused is never decoded or parsed, so a large one costs neither memory nor time.
import { decodeUtf8 } from '../encoding/utf8.ts';
import { InputError } from '../input-error.ts';
import { MAX_PAYLOAD_BYTES } from './claims.ts';

/** The payload as text; `size` is its size as sent (it may have been dropped unread). */
export function payloadText(payload: Uint8Array, size: number): string {
  if (size > MAX_PAYLOAD_BYTES || payload.length > MAX_PAYLOAD_BYTES)
    throw new InputError(
      'payload_too_large',
      `payload of ${Math.max(size, payload.length)} bytes exceeds the limit of ${MAX_PAYLOAD_BYTES}`,
    );
  const text = decodeUtf8(payload, true);
  if (text === null) throw new InputError('malformed_json', 'payload is not UTF-8');
  return text;
}
