/**
 * Protection levels of common Android platform permissions (android.Manifest.permission), as
 * documented by the platform; a small table of our own, enough to count the dangerous ones. A
 * permission not listed here and not declared by the APK itself is `unknown`.
 */

export type PermissionLevel = 'dangerous' | 'normal' | 'signature' | 'unknown';

const P = 'android.permission.';

const DANGEROUS = [
  'READ_CALENDAR', 'WRITE_CALENDAR', 'CAMERA', 'READ_CONTACTS', 'WRITE_CONTACTS', 'GET_ACCOUNTS',
  'ACCESS_FINE_LOCATION', 'ACCESS_COARSE_LOCATION', 'ACCESS_BACKGROUND_LOCATION', 'ACCESS_MEDIA_LOCATION',
  'RECORD_AUDIO', 'READ_PHONE_STATE', 'READ_PHONE_NUMBERS', 'CALL_PHONE', 'ANSWER_PHONE_CALLS',
  'READ_CALL_LOG', 'WRITE_CALL_LOG', 'ADD_VOICEMAIL', 'USE_SIP', 'PROCESS_OUTGOING_CALLS',
  'BODY_SENSORS', 'BODY_SENSORS_BACKGROUND', 'ACTIVITY_RECOGNITION', 'SEND_SMS', 'RECEIVE_SMS', 'READ_SMS',
  'RECEIVE_WAP_PUSH', 'RECEIVE_MMS', 'READ_EXTERNAL_STORAGE', 'WRITE_EXTERNAL_STORAGE',
  'READ_MEDIA_IMAGES', 'READ_MEDIA_VIDEO', 'READ_MEDIA_AUDIO', 'POST_NOTIFICATIONS', 'NEARBY_WIFI_DEVICES',
  'BLUETOOTH_SCAN', 'BLUETOOTH_CONNECT', 'BLUETOOTH_ADVERTISE', 'UWB_RANGING',
];

const NORMAL = [
  'INTERNET', 'ACCESS_NETWORK_STATE', 'ACCESS_WIFI_STATE', 'CHANGE_WIFI_STATE', 'CHANGE_NETWORK_STATE',
  'CHANGE_WIFI_MULTICAST_STATE', 'BLUETOOTH', 'BLUETOOTH_ADMIN', 'VIBRATE', 'WAKE_LOCK', 'RECEIVE_BOOT_COMPLETED',
  'FOREGROUND_SERVICE', 'SET_WALLPAPER', 'SET_WALLPAPER_HINTS', 'NFC', 'GET_TASKS', 'KILL_BACKGROUND_PROCESSES',
  'EXPAND_STATUS_BAR', 'ACCESS_LOCATION_EXTRA_COMMANDS', 'MODIFY_AUDIO_SETTINGS', 'READ_SYNC_SETTINGS',
  'WRITE_SYNC_SETTINGS', 'READ_SYNC_STATS', 'SET_ALARM', 'USE_FINGERPRINT', 'USE_BIOMETRIC', 'TRANSMIT_IR',
  'REORDER_TASKS', 'DISABLE_KEYGUARD', 'GET_PACKAGE_SIZE', 'INSTALL_SHORTCUT', 'REQUEST_DELETE_PACKAGES',
  'REQUEST_IGNORE_BATTERY_OPTIMIZATIONS', 'SCHEDULE_EXACT_ALARM', 'USE_FULL_SCREEN_INTENT', 'QUERY_ALL_PACKAGES',
];

const SIGNATURE = [
  'BIND_ACCESSIBILITY_SERVICE', 'BIND_DEVICE_ADMIN', 'SYSTEM_ALERT_WINDOW', 'WRITE_SETTINGS', 'PACKAGE_USAGE_STATS',
  'BIND_NOTIFICATION_LISTENER_SERVICE', 'INSTALL_PACKAGES', 'DELETE_PACKAGES', 'READ_LOGS', 'MANAGE_EXTERNAL_STORAGE',
  'REQUEST_INSTALL_PACKAGES', 'BIND_VPN_SERVICE', 'WRITE_SECURE_SETTINGS', 'REBOOT', 'BIND_INPUT_METHOD',
  'BIND_WALLPAPER', 'CHANGE_COMPONENT_ENABLED_STATE', 'MOUNT_UNMOUNT_FILESYSTEMS', 'BIND_JOB_SERVICE',
  'BIND_CARRIER_SERVICES', 'CAPTURE_AUDIO_OUTPUT', 'READ_PRIVILEGED_PHONE_STATE', 'MANAGE_ACCOUNTS',
];

const TABLE: ReadonlyMap<string, PermissionLevel> = new Map([
  ...DANGEROUS.map((n) => [P + n, 'dangerous'] as const),
  ...NORMAL.map((n) => [P + n, 'normal'] as const),
  ...SIGNATURE.map((n) => [P + n, 'signature'] as const),
]);

/** Platform table first; then the level the APK declares for its own permission (`<permission protectionLevel>`). */
export function permissionLevel(name: string, declared: ReadonlyMap<string, string>): PermissionLevel {
  const known = TABLE.get(name);
  if (known) return known;
  const own = declared.get(name);
  return own === undefined ? 'unknown' : protectionLevelName(own);
}

/** protectionLevel as written (`signature|privileged`) or as its integer (0 normal, 1 dangerous, 2 signature, 3 signatureOrSystem). */
export function protectionLevelName(value: string): PermissionLevel {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(value) ? Number(value) & 0xf : undefined;
  if (n !== undefined) return n === 0 ? 'normal' : n === 1 ? 'dangerous' : n === 2 || n === 3 ? 'signature' : 'unknown';
  const base = value.split('|')[0]!.trim();
  if (base === 'normal' || base === 'dangerous') return base;
  if (base.startsWith('signature')) return 'signature';
  return 'unknown';
}
