// `debug` for the QuickJS bundle. MQTT.js and mqtt-packet create their loggers when they load
// (`require('debug')('mqttjs:client')`); the real package needs Node's tty/util or a browser's
// localStorage. Logging is off: every logger is a no-op. CommonJS on purpose: an ES module here
// would reach `require('debug')` as a namespace object, which is not callable.
'use strict';

function createDebug() {
  const log = function () {};
  log.enabled = false;
  log.namespace = '';
  log.log = log;
  log.extend = createDebug;
  log.destroy = function () {};
  return log;
}
createDebug.enable = function () {};
createDebug.disable = function () {
  return '';
};
createDebug.enabled = function () {
  return false;
};

module.exports = createDebug;
