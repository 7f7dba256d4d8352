// Helpers for the MQTT tests, one import for every suite: a private mosquitto, test
// certificates, a fake broker, the QuickJS trial runner, tracked processes, bounded waits.
// Everything listens on 127.0.0.1/::1 only; every process started here is killed at exit.
export * from './certificates.ts';
export * from './fake-broker.ts';
export * from './mosquitto.ts';
export * from './processes.ts';
export * from './scratch.ts';
export * from './trial.ts';
export * from './waits.ts';
