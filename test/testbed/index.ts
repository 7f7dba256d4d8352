// The test bed's public surface, for the integration tests, the demo and the benchmark.
export * from './agent.ts';
export * from './broker.ts';
export * from './conntrack.ts';
export * from './daemon.ts';
export * from './exec.ts';
export * from './hold.ts';
export * from './listeners.ts';
export * from './mqtt-client.ts';
export * from './namespaces.ts';
export * from './plan.ts';
export * from './probe.ts';
export * from './ruleset.ts';
export * from './testbed.ts';
