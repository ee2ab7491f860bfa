/** Assay-Android: heuristic verdicts on APKs from the manifest's string pool (permissions, services) and DEX strings. */
import type { FileInput } from '../../core/plugin.js';
import { createHeuristicEngine } from '../heuristics/heuristic-engine.js';
import { readHead } from '../heuristics/file-text.js';
import type { Hit } from '../heuristics/signal.js';
import { ANDROID_RULES as R } from './android-signals.js';
import { readApkEntries } from './apk-entries.js';
import { axmlStrings } from './axml-strings.js';

export const ASSAY_ANDROID_RULES_DATE = '20261207';

/** What one APK says about itself: manifest strings, DEX text and entry names. */
export interface ApkFacts {
  manifest: string[];
  dex: string;
  entryNames: string[];
}

export function detectAndroid(facts: ApkFacts): Hit[] {
  const hits: Hit[] = [];
  const m = new Set(facts.manifest.map((s) => s.replace(/^android\.permission\./, '')));
  const has = (...names: string[]) => names.some((n) => m.has(n));
  const sendSms = has('SEND_SMS');
  const readSms = has('RECEIVE_SMS', 'READ_SMS');
  const boot = has('RECEIVE_BOOT_COMPLETED') || m.has('android.intent.action.BOOT_COMPLETED');
  const accessibility = has('BIND_ACCESSIBILITY_SERVICE') || m.has('android.accessibilityservice.AccessibilityService');
  const overlay = has('SYSTEM_ALERT_WINDOW');
  if (sendSms && readSms && boot) hits.push({ rule: R['sms-fraud'] });
  if (accessibility && overlay) hits.push({ rule: R['overlay-banker'] });
  const spyCount = [readSms, has('READ_CALL_LOG'), has('READ_CONTACTS'), has('ACCESS_FINE_LOCATION'), has('RECORD_AUDIO')].filter(Boolean).length;
  if (spyCount >= 4 && boot) hits.push({ rule: R['spyware-set'] });
  if (sendSms || readSms) hits.push({ rule: R['sms-permissions'] });
  if (has('BIND_DEVICE_ADMIN') || m.has('android.app.action.DEVICE_ADMIN_ENABLED')) hits.push({ rule: R['device-admin'] });
  if (accessibility) hits.push({ rule: R['accessibility-service'] });
  if (/Ldalvik\/system\/(?:DexClassLoader|InMemoryDexClassLoader|PathClassLoader);/.test(facts.dex) && /loadClass|loadDex/.test(facts.dex)) hits.push({ rule: R['dynamic-code-loading'] });
  if (/\/system\/(?:x?bin)\/su\b|\bsu -c\b/.test(facts.dex) && /Ljava\/lang\/Runtime;/.test(facts.dex)) hits.push({ rule: R['root-commands'] });
  if (facts.entryNames.some((n) => /^assets\/.*\.(?:apk|dex|jar)$/i.test(n) || /^assets\/.*\/classes\d*\.dex$/.test(n))) hits.push({ rule: R['hidden-payload'] });
  if (has('RECORD_AUDIO', 'READ_CALL_LOG', 'PROCESS_OUTGOING_CALLS')) hits.push({ rule: R['call-and-record'] });
  if (has('REQUEST_INSTALL_PACKAGES', 'INSTALL_PACKAGES')) hits.push({ rule: R['install-packages'] });
  if (boot) hits.push({ rule: R['boot-start'] });
  if (/Ljava\/lang\/Runtime;/.test(facts.dex) && /\bexec\b/.test(facts.dex)) hits.push({ rule: R['native-exec'] });
  return hits;
}

export function createAssayAndroidEngine() {
  return createHeuristicEngine({
    manifest: {
      name: 'Assay-Android',
      version: '1.0.0',
      description: 'heuristics over APKs: permission sets (SMS, accessibility, device admin), dynamic code loading, root commands',
      accepts: { kinds: ['file'], typeTags: ['android', 'apk', 'dex', 'jar'], maxBytes: 256 * 1024 * 1024 },
      timeoutMs: 60_000,
      needsNetwork: false,
    },
    prefix: 'Assay.Android',
    rulesDate: ASSAY_ANDROID_RULES_DATE,
    async detect(input: FileInput, signal: AbortSignal) {
      if (input.typeTag === 'dex') return detectAndroid({ manifest: [], dex: (await readHead(input.path)).toString('latin1'), entryNames: [] });
      const { names, entries } = await readApkEntries(input.path, (n) => n === 'AndroidManifest.xml' || /^classes\d*\.dex$/.test(n), signal).catch(() => ({ names: [] as string[], entries: new Map<string, Buffer>() }));
      signal.throwIfAborted();
      const manifest = axmlStrings(entries.get('AndroidManifest.xml') ?? Buffer.alloc(0));
      const dex = [...entries.entries()].filter(([n]) => n.endsWith('.dex')).map(([, b]) => b.toString('latin1')).join('\n');
      return detectAndroid({ manifest, dex, entryNames: names });
    },
  });
}
