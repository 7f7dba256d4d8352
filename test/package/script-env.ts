// What the package script tests share: the system PATH the scripts run with (the stand-ins go
// in front of it) and a router's firewall config for the scripts that edit it.

export const SYSTEM_PATH = '/usr/bin:/bin';

export const FIREWALL = `
config defaults
	option input 'REJECT'
	option forward 'REJECT'

config zone 'wan'
	option name 'wan'
	list network 'wan'
`;
