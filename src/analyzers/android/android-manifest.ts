/** The facts VT's `androguard` attribute shows, read from a parsed AndroidManifest.xml (package, SDKs, components, permissions, intent filters). */
import { ANDROID_NS, type AxmlElement } from './axml-parser.js';
import { permissionLevel, type PermissionLevel } from './permission-levels.js';

export type ComponentKind = 'Activities' | 'Services' | 'Receivers' | 'Providers';

export interface IntentFilter {
  action: string[];
  category: string[];
}

export interface ManifestFacts {
  Package: string;
  AndroidVersionCode: string;
  AndroidVersionName: string;
  MinSdkVersion: string;
  TargetSdkVersion: string;
  main_activity: string | null;
  Activities: string[];
  Services: string[];
  Receivers: string[];
  Providers: string[];
  Libraries: string[];
  Permissions: Record<string, { permission_type: PermissionLevel }>;
  intent_filters: Partial<Record<ComponentKind, Record<string, IntentFilter>>>;
}

/** Caps on list lengths in the stored attribute (a manifest can declare thousands of components). */
export const MANIFEST_OUTPUT_CAPS = { components: 1000, permissions: 500, filterEntries: 64 };

/**
 * Component tags, found anywhere in the document as androguard finds them (malware puts receivers
 * outside <application>; Android ignores them, analysts want them). Activity aliases are not
 * listed among Activities, as in androguard, but can be the main activity and have filters.
 */
const TAGS: Record<string, ComponentKind> = {
  activity: 'Activities',
  'activity-alias': 'Activities',
  service: 'Services',
  receiver: 'Receivers',
  provider: 'Providers',
};

/** Every element below `root`, depth first in document order (the parser bounds the count and depth). */
function* descendants(root: AxmlElement): Generator<AxmlElement> {
  const stack = [...root.children].reverse();
  while (stack.length > 0) {
    const element = stack.pop()!;
    yield element;
    for (let i = element.children.length - 1; i >= 0; i--) stack.push(element.children[i]!);
  }
}

const attr = (element: AxmlElement, name: string, androidOnly = true): string | undefined =>
  element.attributes.find((a) => a.name === name && (!androidOnly || a.ns === ANDROID_NS || a.ns === ''))?.value;

/** A component name as androguard prints it: `.Foo` and `Foo` are relative to the package. */
export function componentName(pkg: string, name: string): string {
  if (name.startsWith('.')) return pkg + name;
  if (!name.includes('.') && pkg) return `${pkg}.${name}`;
  return name;
}

export function manifestFacts(root: AxmlElement): ManifestFacts {
  const pkg = root.attributes.find((a) => a.name === 'package')?.value ?? '';
  const facts: ManifestFacts = {
    Package: pkg,
    AndroidVersionCode: attr(root, 'versionCode') ?? '',
    AndroidVersionName: attr(root, 'versionName') ?? '',
    MinSdkVersion: '',
    TargetSdkVersion: '',
    main_activity: null,
    Activities: [],
    Services: [],
    Receivers: [],
    Providers: [],
    Libraries: [],
    Permissions: {},
    intent_filters: {},
  };
  const declared = new Map<string, string>();
  const requested: string[] = [];
  const mains: string[] = [];
  const caps = MANIFEST_OUTPUT_CAPS;

  for (const element of descendants(root)) {
    switch (element.name) {
      case 'uses-sdk':
        facts.MinSdkVersion ||= attr(element, 'minSdkVersion') ?? '';
        facts.TargetSdkVersion ||= attr(element, 'targetSdkVersion') ?? '';
        continue;
      case 'uses-permission':
      case 'uses-permission-sdk-23':
      case 'uses-permission-sdk-m': {
        const name = attr(element, 'name');
        if (name && !requested.includes(name) && requested.length < caps.permissions) requested.push(name);
        continue;
      }
      case 'permission': {
        const name = attr(element, 'name');
        if (name) declared.set(name, attr(element, 'protectionLevel') ?? 'normal');
        continue;
      }
      case 'uses-library': {
        const lib = attr(element, 'name');
        if (lib && facts.Libraries.length < caps.components && !facts.Libraries.includes(lib)) facts.Libraries.push(lib);
        continue;
      }
    }
    const kind = TAGS[element.name];
    const raw = attr(element, 'name');
    if (!kind || !raw) continue;
    const name = componentName(pkg, raw);
    if (element.name !== 'activity-alias' && facts[kind].length < caps.components && !facts[kind].includes(name)) facts[kind].push(name);
    for (const filter of element.children.filter((c) => c.name === 'intent-filter')) {
      const entry = (facts.intent_filters[kind] ??= {});
      const seen = (entry[name] ??= { action: [], category: [] });
      for (const item of filter.children) {
        const value = attr(item, 'name');
        if (!value) continue;
        const list = item.name === 'action' ? seen.action : item.name === 'category' ? seen.category : undefined;
        if (list && !list.includes(value) && list.length < caps.filterEntries) list.push(value);
      }
      const actions = filter.children.filter((c) => c.name === 'action').map((c) => attr(c, 'name'));
      const categories = filter.children.filter((c) => c.name === 'category').map((c) => attr(c, 'name'));
      if (kind === 'Activities' && actions.includes('android.intent.action.MAIN') && categories.includes('android.intent.category.LAUNCHER')) mains.push(name);
    }
  }
  facts.main_activity = mains[0] ?? null;
  for (const name of requested) facts.Permissions[name] = { permission_type: permissionLevel(name, declared) };
  return facts;
}
