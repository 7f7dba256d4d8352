// The ISP's messages to the daemon, one at a time (inbound-queue.ts) to their handlers; a
// message the queue will not handle is answered all the same.
import { commandReply, desiredReply } from '../remote/messages.ts';
import { handleCommand } from './command-handler.ts';
import type { ControlHost } from './control-host.ts';
import { handleDesired } from './desired-handler.ts';
import { InboundQueue, type DropReason, type InboundMessage } from './inbound-queue.ts';

/** Answers a message the queue will not handle (a newer desired state came, or too many). */
async function answerDropped(
  host: ControlHost,
  { kind }: InboundMessage,
  why: DropReason,
): Promise<void> {
  const message =
    why === 'busy'
      ? 'too many commands are waiting; try again later'
      : 'a newer desired state arrived before this one was handled';
  // Not verified, so nothing of it is echoed (docs/mqtt-contract.md: only authentic claims are).
  const error = { code: why, message };
  if (kind === 'desired') await host.reply(desiredReply(null, error));
  else await host.reply(commandReply(null, error));
}

export function controlQueue(host: ControlHost): InboundQueue {
  return new InboundQueue(
    ({ kind, payload, size }) =>
      kind === 'desired' ? handleDesired(host, payload, size) : handleCommand(host, payload, size),
    (message, why) => void answerDropped(host, message, why),
    (error) => void host.fail(error, 'message handling failed'),
  );
}
