/**
 * Reads `7zz l -slt` output line by line into what the zip-bomb guard needs: entry counts, the
 * declared unpacked size, whether any entry is a link, and the entry paths in archive order.
 */

/** What the technical listing declares, before anything is extracted. */
export interface ArchiveListing {
  files: number;
  directories: number;
  /** Sum of the declared `Size` of every entry. */
  declaredBytes: number;
  /** An entry's size was not a number: only the real-size checks apply to it. */
  unknownSize: boolean;
  /** Some entry is a symbolic link (unix mode `l...`). */
  hasLink: boolean;
  /** Entry paths in archive order (the first `2 * maxEntries + 1` at most). */
  paths: string[];
  /** Those of `paths` that are directories. */
  folders: Set<string>;
}

/** The line 7zz prints between the archive's own properties and the entries. */
const ENTRIES_MARKER = '----------';
const PROPERTY = /^([A-Za-z][A-Za-z ]*?) = (.*)$/;
/** A unix mode string as 7zz prints it in `Attributes`, e.g. ` -rw-r--r--`, `D drwxr-xr-x`, ` lrwxrwxrwx`. */
const LINK_MODE = /(?:^|\s)l[r-][w-][xsS-][r-][w-][xsS-][r-][w-][xtT-]/;

/**
 * Counts are taken from property lines, so an entry name with newlines in it can only add fake
 * lines (making the guard stricter), never hide a real entry's `Path`, `Size` or `Attributes`.
 */
export class ListingParser {
  private inEntries = false;
  private pathCap: number;
  readonly listing: ArchiveListing = { files: 0, directories: 0, declaredBytes: 0, unknownSize: false, hasLink: false, paths: [], folders: new Set() };

  constructor(maxEntries: number) {
    this.pathCap = 2 * maxEntries + 1;
  }

  /** Entries so far (files and directories). */
  get entries(): number {
    return this.listing.files + this.listing.directories;
  }

  line(text: string): void {
    if (!this.inEntries) {
      if (text === ENTRIES_MARKER) this.inEntries = true;
      return;
    }
    const match = PROPERTY.exec(text);
    if (!match) return;
    const [, key, value] = match as unknown as [string, string, string];
    const l = this.listing;
    switch (key) {
      case 'Path':
        // Every entry starts with its Path; count it as a file until its `Folder = +` says otherwise.
        l.files += 1;
        if (l.paths.length < this.pathCap) l.paths.push(value);
        break;
      case 'Folder':
        if (value === '+' && l.files > 0) {
          l.files -= 1;
          l.directories += 1;
          if (l.paths.length === l.files + l.directories) l.folders.add(l.paths.at(-1)!);
        }
        break;
      case 'Size':
        if (/^\d+$/.test(value)) l.declaredBytes += Number(value);
        else l.unknownSize = true;
        break;
      case 'Attributes':
        if (LINK_MODE.test(value)) l.hasLink = true;
        break;
    }
  }
}
