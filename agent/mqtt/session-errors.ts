// How the MQTT client (session.ts, session-connection.ts) makes its errors and calls the
// handlers it was given: what a handler throws is reported, never lets the connection's code die.
import type { MqttClientEvents, MqttError } from './session-types.ts';

export function mqttError(message: string, code?: string | number): MqttError {
  return code === undefined ? new Error(message) : Object.assign(new Error(message), { code });
}

/** Errors that do not end the connection go to onError. */
export function report(events: MqttClientEvents, error: MqttError): void {
  try {
    events.onError?.(error);
  } catch {
    // an onError that throws has nobody left to tell
  }
}

/** Runs an event handler; what it throws is reported. */
export function safely(events: MqttClientEvents, fn: () => void): void {
  try {
    fn();
  } catch (error) {
    report(events, error instanceof Error ? error : new Error(String(error)));
  }
}
