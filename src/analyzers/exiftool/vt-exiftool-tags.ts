/** ExifTool's JSON output for one file turned into VirusTotal's `exiftool` attribute: which tags stay and how values print. */

/**
 * Tags that describe where and how the copy we hold is stored, not the file: VT leaves them out
 * (its reports never show FileName, Directory or file-system dates), and ours would only leak
 * staging paths and permissions.
 */
export const FILE_SYSTEM_TAGS: ReadonlySet<string> = new Set([
  'SourceFile',
  'ExifToolVersion',
  'FileName',
  'Directory',
  'FileSize',
  'FileModifyDate',
  'FileAccessDate',
  'FileInodeChangeDate',
  'FileCreateDate',
  'FilePermissions',
  'FileAttributes',
  'FileDeviceNumber',
  'FileInodeNumber',
  'FileHardLinks',
  'FileUserID',
  'FileGroupID',
  'FileBlockSize',
  'FileBlockCount',
]);

/** Bounds on what one file adds to its stored object (a crafted file can carry thousands of tags). */
export const EXIFTOOL_OUTPUT_CAPS = { tags: 512, valueChars: 2048 };

/**
 * VT shows every value as text (`"CodeSize": "69632"`), lists joined as ExifTool prints them
 * without -json (", "). `Error` means ExifTool could not read the format: no attribute then.
 */
export function vtExiftoolAttribute(raw: Record<string, unknown>): { tags: Record<string, string>; error?: string; warning?: string } {
  const tags: Record<string, string> = {};
  let error: string | undefined;
  let warning: string | undefined;
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'Error') {
      error = printed(value);
      continue;
    }
    if (name === 'Warning') {
      warning = printed(value);
      continue;
    }
    if (name === 'errors' || name === 'warnings' || FILE_SYSTEM_TAGS.has(name)) continue;
    if (Object.keys(tags).length >= EXIFTOOL_OUTPUT_CAPS.tags) break;
    const text = printed(value);
    tags[name] = text.length > EXIFTOOL_OUTPUT_CAPS.valueChars ? text.slice(0, EXIFTOOL_OUTPUT_CAPS.valueChars) : text;
  }
  return { tags, ...(error !== undefined ? { error } : {}), ...(warning !== undefined ? { warning } : {}) };
}

function printed(value: unknown): string {
  if (Array.isArray(value)) return value.map(printed).join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
