/** What a Java archive (JAR) says about itself: MANIFEST.MF's main class and attributes, its classes and their packages. */

export interface JavaInfo {
  main_class: string | null;
  /** MANIFEST.MF main section (`Created-By`, `Implementation-Title`...), capped. */
  manifest: Record<string, string>;
  class_count: number;
  /** Java packages of the classes (`com/example/App.class` -> `com.example`), sorted, capped. */
  packages: string[];
}

export const JAVA_OUTPUT_CAPS = { manifestEntries: 64, valueChars: 1024, packages: 500 };

/** The main section of a JAR manifest: `Name: value` lines, continuation lines start with one space. */
export function parseJarManifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (line === '') break; // the main section ends at the first blank line
    if (line.startsWith(' ') && last !== undefined) {
      out[last] = (out[last]! + line.slice(1)).slice(0, JAVA_OUTPUT_CAPS.valueChars);
      continue;
    }
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    if (Object.keys(out).length >= JAVA_OUTPUT_CAPS.manifestEntries) break;
    last = line.slice(0, colon);
    out[last] = line.slice(colon + 2).slice(0, JAVA_OUTPUT_CAPS.valueChars);
  }
  return out;
}

export function javaInfo(memberNames: readonly string[], manifestText: string | undefined): JavaInfo {
  const manifest = manifestText === undefined ? {} : parseJarManifest(manifestText);
  const classes = memberNames.filter((n) => n.endsWith('.class') && !n.startsWith('META-INF/'));
  const packages = new Set<string>();
  for (const name of classes) {
    const slash = name.lastIndexOf('/');
    if (slash > 0) packages.add(name.slice(0, slash).replace(/\//g, '.'));
  }
  return {
    main_class: manifest['Main-Class']?.trim() || null,
    manifest,
    class_count: classes.length,
    packages: [...packages].sort().slice(0, JAVA_OUTPUT_CAPS.packages),
  };
}
