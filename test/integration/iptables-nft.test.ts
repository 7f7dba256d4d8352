// The integration suite against the iptables-nft backend (see backend-suite.ts).
import { BACKENDS } from '../testbed/index.ts';
import { backendSuite } from './backend-suite.ts';

backendSuite(BACKENDS.iptablesNft);
