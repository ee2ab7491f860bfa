/** The Assay-Android engine's signals: permission sets and code behaviours of Android malware families. */
import { defineRules, WEIGHT } from '../heuristics/signal.js';

const { strong, medium, weak } = WEIGHT;

export const ANDROID_RULES = defineRules({
  'sms-fraud': { weight: strong, family: 'SMSFraud', description: 'sends and intercepts SMS (SEND_SMS with RECEIVE_SMS/READ_SMS) and starts at boot' },
  'overlay-banker': { weight: strong, family: 'Banker', description: 'an accessibility service plus drawing over other apps: how banking trojans read and overlay screens' },
  'spyware-set': { weight: strong, family: 'Spy', description: 'reads SMS, call log, contacts and location, records audio, and starts at boot' },
  'sms-permissions': { weight: medium, family: 'SMS', description: 'sends or reads SMS' },
  'device-admin': { weight: medium, family: 'Locker', description: 'asks to be a device administrator (cannot be uninstalled, can lock or wipe)' },
  'accessibility-service': { weight: medium, family: 'Banker', description: 'declares an accessibility service (reads and drives other apps)' },
  'dynamic-code-loading': { weight: medium, family: 'Dropper', description: 'loads code at run time (DexClassLoader / InMemoryDexClassLoader)' },
  'root-commands': { weight: medium, family: 'Rootkit', description: 'runs su or shell commands (Runtime.exec with su, /system/bin/su)' },
  'hidden-payload': { weight: medium, family: 'Dropper', description: 'carries an extra APK, DEX or JAR inside its assets' },
  'call-and-record': { weight: weak, family: 'Spy', description: 'records audio or reads the call log' },
  'install-packages': { weight: weak, family: 'Dropper', description: 'installs other packages (REQUEST_INSTALL_PACKAGES / INSTALL_PACKAGES)' },
  'boot-start': { weight: weak, family: 'Agent', description: 'starts when the device boots' },
  'native-exec': { weight: weak, family: 'Agent', description: 'calls Runtime.exec' },
});
