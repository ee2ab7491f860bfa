/** Resource type and language names as VirusTotal prints them (`RT_ICON`, `ENGLISH US`); data only. */

/** Predefined resource type ids (winuser.h). */
export const RESOURCE_TYPES: Readonly<Record<number, string>> = {
  1: 'RT_CURSOR',
  2: 'RT_BITMAP',
  3: 'RT_ICON',
  4: 'RT_MENU',
  5: 'RT_DIALOG',
  6: 'RT_STRING',
  7: 'RT_FONTDIR',
  8: 'RT_FONT',
  9: 'RT_ACCELERATOR',
  10: 'RT_RCDATA',
  11: 'RT_MESSAGETABLE',
  12: 'RT_GROUP_CURSOR',
  14: 'RT_GROUP_ICON',
  16: 'RT_VERSION',
  17: 'RT_DLGINCLUDE',
  19: 'RT_PLUGPLAY',
  20: 'RT_VXD',
  21: 'RT_ANICURSOR',
  22: 'RT_ANIICON',
  23: 'RT_HTML',
  24: 'RT_MANIFEST',
};

/** Primary language ids (winnt.h LANG_*), as VirusTotal names them. */
const PRIMARY: Readonly<Record<number, string>> = {
  0x00: 'NEUTRAL', 0x01: 'ARABIC', 0x02: 'BULGARIAN', 0x03: 'CATALAN', 0x04: 'CHINESE', 0x05: 'CZECH',
  0x06: 'DANISH', 0x07: 'GERMAN', 0x08: 'GREEK', 0x09: 'ENGLISH', 0x0a: 'SPANISH', 0x0b: 'FINNISH',
  0x0c: 'FRENCH', 0x0d: 'HEBREW', 0x0e: 'HUNGARIAN', 0x0f: 'ICELANDIC', 0x10: 'ITALIAN', 0x11: 'JAPANESE',
  0x12: 'KOREAN', 0x13: 'DUTCH', 0x14: 'NORWEGIAN', 0x15: 'POLISH', 0x16: 'PORTUGUESE', 0x18: 'ROMANIAN',
  0x19: 'RUSSIAN', 0x1a: 'CROATIAN', 0x1b: 'SLOVAK', 0x1c: 'ALBANIAN', 0x1d: 'SWEDISH', 0x1e: 'THAI',
  0x1f: 'TURKISH', 0x20: 'URDU', 0x21: 'INDONESIAN', 0x22: 'UKRAINIAN', 0x23: 'BELARUSIAN', 0x24: 'SLOVENIAN',
  0x25: 'ESTONIAN', 0x26: 'LATVIAN', 0x27: 'LITHUANIAN', 0x29: 'FARSI', 0x2a: 'VIETNAMESE', 0x2b: 'ARMENIAN',
  0x2c: 'AZERI', 0x2d: 'BASQUE', 0x2f: 'MACEDONIAN', 0x36: 'AFRIKAANS', 0x37: 'GEORGIAN', 0x39: 'HINDI',
  0x3e: 'MALAY', 0x3f: 'KAZAK', 0x41: 'SWAHILI', 0x43: 'UZBEK', 0x56: 'GALICIAN', 0x7f: 'INVARIANT',
  0x17: 'ROMANSH', 0x28: 'TAJIK', 0x38: 'FAEROESE', 0x3c: 'IRISH', 0x45: 'BENGALI', 0x46: 'PUNJABI', 0x47: 'GUJARATI',
  0x48: 'ORIYA', 0x49: 'TAMIL', 0x4a: 'TELUGU', 0x4b: 'KANNADA', 0x4c: 'MALAYALAM', 0x4e: 'MARATHI', 0x50: 'MONGOLIAN',
  0x52: 'WELSH', 0x5b: 'SINHALESE', 0x5e: 'AMHARIC', 0x61: 'NEPALI', 0x63: 'PASHTO', 0x8c: 'DARI',
};

/** Sub-language names where VirusTotal prints more than the primary name (winnt.h SUBLANG_*). */
const SPECIFIC: Readonly<Record<number, string>> = {
  0x0409: 'ENGLISH US', 0x0809: 'ENGLISH UK', 0x0c09: 'ENGLISH AUS', 0x1009: 'ENGLISH CAN', 0x1409: 'ENGLISH NZ',
  0x1809: 'ENGLISH EIRE', 0x1c09: 'ENGLISH SOUTH AFRICA',
  0x0404: 'CHINESE TRADITIONAL', 0x0804: 'CHINESE SIMPLIFIED', 0x0c04: 'CHINESE HONGKONG', 0x1004: 'CHINESE SINGAPORE',
  0x0416: 'PORTUGUESE BRAZILIAN', 0x0816: 'PORTUGUESE',
  0x040a: 'SPANISH', 0x080a: 'SPANISH MEXICAN', 0x0c0a: 'SPANISH MODERN',
  0x0407: 'GERMAN', 0x0807: 'GERMAN SWISS', 0x0c07: 'GERMAN AUSTRIAN',
  0x040c: 'FRENCH', 0x080c: 'FRENCH BELGIAN', 0x0c0c: 'FRENCH CANADIAN', 0x100c: 'FRENCH SWISS',
  0x0401: 'ARABIC SAUDI ARABIA', 0x0801: 'ARABIC IRAQ', 0x0c01: 'ARABIC EGYPT',
  0x0413: 'DUTCH', 0x0813: 'DUTCH BELGIAN', 0x0410: 'ITALIAN', 0x0810: 'ITALIAN SWISS',
  0x041d: 'SWEDISH', 0x081d: 'SWEDISH FINLAND', 0x0414: 'NORWEGIAN BOKMAL', 0x0814: 'NORWEGIAN NYNORSK',
  0x0412: 'KOREAN', 0x0400: 'NEUTRAL', 0x0800: 'NEUTRAL', 0x0000: 'NEUTRAL',
};

export function resourceTypeName(id: number): string {
  return RESOURCE_TYPES[id] ?? String(id);
}

export function languageName(langId: number): string {
  const specific = SPECIFIC[langId];
  if (specific) return specific;
  const primary = PRIMARY[langId & 0x3ff];
  if (primary === undefined) return `LANG 0x${langId.toString(16).padStart(4, '0')}`;
  return primary;
}
