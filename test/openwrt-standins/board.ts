// What `ubus call system board` answers on the test router (OpenWrt 24.10.0), for the
// stand-in tests and the integration scenarios that make the stand-in answer it.
export const BOARD = {
  kernel: '6.6.73',
  hostname: 'OpenWrt',
  model: 'Test Router',
  board_name: 'test,router',
  release: {
    distribution: 'OpenWrt',
    version: '24.10.0',
    revision: 'r28427-6df0e3d02a',
    description: 'OpenWrt 24.10.0 r28427-6df0e3d02a',
  },
};
