// The MQTT integration rig, one import for every suite that drives the agent over a real
// mosquitto: the rig itself (create-rig.ts), topics, bounded waits, what the agent says
// (messages.ts), what flash and the kernel hold, and real traffic through the router.
export * from './create-rig.ts';
export * from './flash.ts';
export * from './messages.ts';
export * from './ruleset.ts';
export * from './topics.ts';
export * from './traffic.ts';
export * from './waits.ts';
