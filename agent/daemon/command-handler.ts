// A command from the ISP (report, verify, reapply): checked like a desired state, refused when
// its id was seen before (a replay), run, and answered on the reply topic.
import { commandIdHint, parseCommandMessage } from '../remote/command.ts';
import { commandReply } from '../remote/messages.ts';
import { payloadText } from '../remote/payload-text.ts';
import type { ControlHost } from './control-host.ts';

export async function handleCommand(
  host: ControlHost,
  payload: Uint8Array,
  size: number,
): Promise<void> {
  let command;
  try {
    const text = payloadText(payload, size);
    command = parseCommandMessage(text, size, host.claimsContext());
  } catch (error) {
    const object = host.fail(error, 'command rejected');
    await host.reply(commandReply(commandIdHint(error), object));
    return;
  }
  const seen = host.seen.check(command, Math.floor(host.runtime.now() / 1000));
  if (seen !== 'admitted') {
    const object =
      seen === 'replayed'
        ? { code: 'replayed', message: `command ${command.id} was already received` }
        : { code: 'busy', message: 'too many recent command ids are remembered; try later' };
    host.log.warn(object.message);
    await host.reply(commandReply(command.id, object));
    return;
  }
  host.log.info(`command ${command.id}: ${command.op}`);
  try {
    switch (command.op) {
      case 'report':
        await host.reporter.request();
        await host.reply(commandReply(command.id, null));
        break;
      case 'verify': {
        const drift = await host.enforcer.verify(host.effective.policy);
        await host.reply(commandReply(command.id, null, { applied: drift.length === 0, drift }));
        break;
      }
      case 'reapply': {
        const ok = await host.enforce(true);
        await host.reply(commandReply(command.id, ok ? null : host.lastErrorObject()));

        void host.reporter.request();
        break;
      }
    }
  } catch (error) {
    await host.reply(commandReply(command.id, host.fail(error, `command ${command.id} failed`)));
  }
}
