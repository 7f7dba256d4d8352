// The daemon's link to the ISP's broker under this router's device id. Without an id (a MAC
// address may appear later) it keeps looking, and the block is enforced all the same; why the
// broker cannot be reached is kept for the status while it lasts.
import type { AgentConfig } from '../config/agent-config.ts';
import { noDeviceIdReason, resolveDeviceId } from '../device/device-id.ts';
import type { Logger } from '../log/logger.ts';
import type { Runtime, Timer } from '../runtime/runtime.ts';
import type { ErrorReport } from '../status/status-report.ts';
import { topicsFor, type Topics } from '../../contract/topics.ts';
import { RemoteLink, type RemoteHandlers } from './remote-link.ts';

/** Without a device id (and with a broker): how often to look for one again. */
const ID_RETRY_MS = 60_000;

export class DeviceLink {
  deviceId: string | null;
  private topics: Topics | null = null;
  /** Why the broker cannot be reached (or no device id), while it lasts. */
  error: ErrorReport | null = null;
  private link: RemoteLink | null = null;
  private idTimer: Timer | null = null;

  constructor(
    private readonly runtime: Runtime,
    /** The config in force: reload replaces it. */
    private readonly config: () => AgentConfig,
    private readonly boot: string,
    private readonly log: Logger,
    /** Connected, failed, or no device id: the status should say so. */
    private readonly onChange: () => void,
    private readonly onMessage: RemoteHandlers['onMessage'],
  ) {
    // Only MQTT needs the id: without one the block is enforced all the same.
    this.deviceId = this.deriveDeviceId();
  }

  private deriveDeviceId(): string | null {
    const { deviceId, deviceIdDevice } = this.config().agent;
    return resolveDeviceId(deviceId, deviceIdDevice, this.runtime);
  }

  start(): void {
    const { mqtt, agent } = this.config();
    if (!mqtt) {
      this.log.info('no MQTT broker configured: enforcing offline');
      return;
    }
    const id = (this.deviceId ??= this.deriveDeviceId());
    if (id === null) {
      // Enforcing goes on; the broker must wait for a name (a MAC address may appear later).
      const message = `${noDeviceIdReason(agent.deviceIdDevice)}; not connecting to the broker, retrying in ${ID_RETRY_MS / 1000} s`;
      if (this.error?.code !== 'no_device_id') this.log.error(message);
      this.error = { code: 'no_device_id', message, at: this.runtime.now() };
      this.onChange();
      this.idTimer = this.runtime.setTimeout(() => {
        this.idTimer = null;
        this.start();
      }, ID_RETRY_MS);
      return;
    }
    if (this.error?.code === 'no_device_id') {
      this.log.info(`device id ${id}`);
      this.error = null;
    }
    const topics = topicsFor(mqtt.topicPrefix, id);
    this.topics = topics;
    this.link = new RemoteLink(this.runtime, mqtt, id, topics, this.boot, this.log, {
      onConnected: () => {
        this.error = null;
        this.onChange();
      },
      onLinkError: (error) => {
        this.error = { ...error, at: this.runtime.now() };
        this.onChange();
      },
      onMessage: this.onMessage,
    });
    this.link.start();
  }

  /** Resolves false when there is no link, or it is not connected. */
  publish(topic: 'status' | 'reply', document: unknown, retain: boolean): Promise<boolean> {
    return (
      (this.topics && this.link?.publish(this.topics[topic], document, retain)) ??
      Promise.resolve(false)
    );
  }

  /** The broker settings changed: a new link (the old one says goodbye first). */
  async restart(): Promise<void> {
    this.error = null;
    await this.stop();
    this.link = null;
    this.start();
  }

  async stop(): Promise<void> {
    if (this.idTimer) this.runtime.clearTimeout(this.idTimer);
    this.idTimer = null;
    await this.link?.stop();
  }
}
