/** The one table mapping libmagic and Magika evidence to VirusTotal's type_* attributes (data only). */
// Read by resolve-vt-type.ts; test/fixtures/analyzers/vt-types.json pins the results.
//
// Vocabulary follows VirusTotal file objects seen in the wild ("Win32 EXE"/peexe, "Powershell" with
// type_tags source/powershell/ps/ps1, "Office Open XML Spreadsheet" with
// document/msoffice/spreadsheet/excel/xlsx, ZIP with compressed/zip, ELF with executable/linux/elf
// and `so` for shared objects) and VT's `type:` search tags for the rest. type_tags run from the
// broad family to the specific tag (then the extension, as VT does for scripts).
//
// A rule may match on:
// - `magic`: libmagic description patterns, only for structural signatures (headers, shebangs)
//   trusted over Magika, e.g. to tell a PE DLL from an EXE, which Magika cannot;
// - `magika`: Magika output labels; Magika tells text formats apart far better than libmagic;
// - `mime`: libmagic MIME types, the fallback when neither decides (`text/*` allowed).
// Within one kind of match earlier rules win, so specific rules come before general ones.

export interface VtFileType {
  type_description: string;
  type_tag: string;
  type_tags: readonly string[];
  type_extension?: string;
}

export interface VtTypeRule extends VtFileType {
  magic?: readonly RegExp[];
  magika?: readonly string[];
  mime?: readonly string[];
}

const WIN_PE = ['executable', 'windows', 'win32', 'pe'];
const SOURCE = 'source';

export const VT_TYPE_RULES: readonly VtTypeRule[] = [
  // Windows executables: libmagic reads the PE header (DLL flag, PE32 vs PE32+); Magika says only `pebin`.
  { type_description: 'Win64 DLL', type_tag: 'pedll', type_tags: [...WIN_PE, 'pedll'], type_extension: 'dll', magic: [/^PE32\+ executable \(DLL\)/] },
  { type_description: 'Win32 DLL', type_tag: 'pedll', type_tags: [...WIN_PE, 'pedll'], type_extension: 'dll', magic: [/^PE32 executable \(DLL\)/] },
  { type_description: 'Win64 EXE', type_tag: 'peexe', type_tags: [...WIN_PE, 'peexe'], type_extension: 'exe', magic: [/^PE32\+ executable/] },
  {
    type_description: 'Win32 EXE', type_tag: 'peexe', type_tags: [...WIN_PE, 'peexe'], type_extension: 'exe',
    magic: [/^PE32 executable/], magika: ['pebin'], mime: ['application/vnd.microsoft.portable-executable', 'application/x-dosexec'],
  },
  { type_description: 'Win16 EXE', type_tag: 'neexe', type_tags: ['executable', 'windows', 'win16', 'ne', 'neexe'], type_extension: 'exe', magic: [/^MS-DOS executable, NE/] },
  { type_description: 'DOS EXE', type_tag: 'mz', type_tags: ['executable', 'dos', 'mz'], type_extension: 'exe', magic: [/^MS-DOS executable/] },
  { type_description: 'DOS COM', type_tag: 'com', type_tags: ['executable', 'dos', 'com'], type_extension: 'com', magic: [/^DOS executable \(COM/] },
  { type_description: 'Windows Installer', type_tag: 'msi', type_tags: ['executable', 'windows', 'installer', 'msi'], type_extension: 'msi', magika: ['msi'], mime: ['application/x-msi'] },
  { type_description: 'Windows shortcut', type_tag: 'lnk', type_tags: ['windows', 'lnk'], type_extension: 'lnk', magic: [/^MS Windows shortcut/], magika: ['lnk'], mime: ['application/x-ms-shortcut'] },

  // Other executables.
  { type_description: 'ELF', type_tag: 'elf', type_tags: ['executable', 'linux', 'elf'], type_extension: 'so', magic: [/^ELF .*shared object/] },
  { type_description: 'ELF', type_tag: 'elf', type_tags: ['executable', 'linux', 'elf'], magic: [/^ELF /], magika: ['elf'], mime: ['application/x-executable', 'application/x-pie-executable', 'application/x-sharedlib', 'application/x-object'] },
  { type_description: 'Mach-O', type_tag: 'macho', type_tags: ['executable', 'mac', 'macho'], magic: [/^Mach-O /], magika: ['macho'], mime: ['application/x-mach-binary'] },
  { type_description: 'Android', type_tag: 'android', type_tags: ['executable', 'mobile', 'android', 'apk'], type_extension: 'apk', magic: [/^Android package/], magika: ['apk'], mime: ['application/vnd.android.package-archive'] },
  { type_description: 'DEX', type_tag: 'dex', type_tags: ['executable', 'android', 'dex'], type_extension: 'dex', magic: [/^Dalvik dex file/], magika: ['dex'] },
  { type_description: 'Java Bytecode', type_tag: 'java-bytecode', type_tags: ['executable', 'java', 'java-bytecode'], type_extension: 'class', magic: [/^compiled Java class data/], magika: ['javabytecode'], mime: ['application/x-java-applet'] },
  { type_description: 'JAR', type_tag: 'jar', type_tags: ['compressed', 'java', 'jar'], type_extension: 'jar', magic: [/^Java archive data/], magika: ['jar'], mime: ['application/java-archive', 'application/x-java-archive'] },

  // Documents. Office 2007+ formats are ZIPs that libmagic opens; OLE2 ones differ only by MIME.
  { type_description: 'PDF', type_tag: 'pdf', type_tags: ['document', 'pdf'], type_extension: 'pdf', magic: [/^PDF document/], magika: ['pdf'], mime: ['application/pdf'] },
  { type_description: 'Office Open XML Document', type_tag: 'docx', type_tags: ['document', 'msoffice', 'text', 'word', 'docx'], type_extension: 'docx', magic: [/^Microsoft Word 2007\+/], magika: ['docx'], mime: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'] },
  { type_description: 'Office Open XML Spreadsheet', type_tag: 'xlsx', type_tags: ['document', 'msoffice', 'spreadsheet', 'excel', 'xlsx'], type_extension: 'xlsx', magic: [/^Microsoft Excel 2007\+/], magika: ['xlsx', 'xlsb'], mime: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] },
  { type_description: 'Office Open XML Presentation', type_tag: 'pptx', type_tags: ['document', 'msoffice', 'presentation', 'powerpoint', 'pptx'], type_extension: 'pptx', magic: [/^Microsoft PowerPoint 2007\+/], magika: ['pptx'], mime: ['application/vnd.openxmlformats-officedocument.presentationml.presentation'] },
  { type_description: 'MS Word Document', type_tag: 'doc', type_tags: ['document', 'msoffice', 'text', 'word', 'doc'], type_extension: 'doc', magika: ['doc'], mime: ['application/msword'] },
  { type_description: 'MS Excel Spreadsheet', type_tag: 'xls', type_tags: ['document', 'msoffice', 'spreadsheet', 'excel', 'xls'], type_extension: 'xls', magika: ['xls'], mime: ['application/vnd.ms-excel'] },
  { type_description: 'MS PowerPoint Presentation', type_tag: 'ppt', type_tags: ['document', 'msoffice', 'presentation', 'powerpoint', 'ppt'], type_extension: 'ppt', magika: ['ppt'], mime: ['application/vnd.ms-powerpoint'] },
  { type_description: 'Rich Text Format', type_tag: 'rtf', type_tags: ['document', 'text', 'rtf'], type_extension: 'rtf', magic: [/^Rich Text Format/], magika: ['rtf'], mime: ['text/rtf', 'application/rtf'] },
  { type_description: 'OpenDocument Text', type_tag: 'odt', type_tags: ['document', 'opendocument', 'odt'], type_extension: 'odt', magika: ['odt'], mime: ['application/vnd.oasis.opendocument.text'] },
  { type_description: 'OpenDocument Spreadsheet', type_tag: 'ods', type_tags: ['document', 'opendocument', 'ods'], type_extension: 'ods', magika: ['ods'], mime: ['application/vnd.oasis.opendocument.spreadsheet'] },
  { type_description: 'OpenDocument Presentation', type_tag: 'odp', type_tags: ['document', 'opendocument', 'odp'], type_extension: 'odp', magika: ['odp'], mime: ['application/vnd.oasis.opendocument.presentation'] },
  { type_description: 'CHM', type_tag: 'chm', type_tags: ['document', 'chm'], type_extension: 'chm', magic: [/^MS Windows HtmlHelp Data/], magika: ['chm'], mime: ['application/vnd.ms-htmlhelp'] },

  // Archives and compressed data.
  { type_description: 'ZIP', type_tag: 'zip', type_tags: ['compressed', 'zip'], type_extension: 'zip', magika: ['zip'], mime: ['application/zip'] },
  { type_description: 'GZIP', type_tag: 'gzip', type_tags: ['compressed', 'gzip'], type_extension: 'gz', magic: [/^gzip compressed data/], magika: ['gzip'], mime: ['application/gzip', 'application/x-gzip'] },
  { type_description: '7ZIP', type_tag: '7zip', type_tags: ['compressed', '7zip'], type_extension: '7z', magic: [/^7-zip archive data/], magika: ['sevenzip'], mime: ['application/x-7z-compressed'] },
  { type_description: 'RAR', type_tag: 'rar', type_tags: ['compressed', 'rar'], type_extension: 'rar', magic: [/^RAR archive data/], magika: ['rar'], mime: ['application/x-rar', 'application/vnd.rar'] },
  { type_description: 'BZIP2', type_tag: 'bzip', type_tags: ['compressed', 'bzip'], type_extension: 'bz2', magic: [/^bzip2 compressed data/], magika: ['bzip'], mime: ['application/x-bzip2'] },
  { type_description: 'XZ', type_tag: 'xz', type_tags: ['compressed', 'xz'], type_extension: 'xz', magic: [/^XZ compressed data/], magika: ['xz'], mime: ['application/x-xz'] },
  { type_description: 'TAR', type_tag: 'tar', type_tags: ['compressed', 'tar'], type_extension: 'tar', magic: [/tar archive/], magika: ['tar'], mime: ['application/x-tar'] },
  { type_description: 'CAB', type_tag: 'cab', type_tags: ['compressed', 'cab'], type_extension: 'cab', magic: [/^Microsoft Cabinet archive data/], magika: ['cab'], mime: ['application/vnd.ms-cab-compressed'] },
  { type_description: 'ARJ', type_tag: 'arj', type_tags: ['compressed', 'arj'], type_extension: 'arj', magic: [/^ARJ archive data/], mime: ['application/x-arj'] },
  { type_description: 'ISO image', type_tag: 'isoimage', type_tags: ['compressed', 'isoimage'], type_extension: 'iso', magic: [/ISO 9660 CD-ROM filesystem/], magika: ['iso'], mime: ['application/x-iso9660-image'] },

  // Internet formats.
  { type_description: 'Email', type_tag: 'email', type_tags: ['internet', 'email'], type_extension: 'eml', magika: ['eml'], mime: ['message/rfc822'] },
  { type_description: 'Outlook', type_tag: 'outlook', type_tags: ['internet', 'email', 'outlook'], type_extension: 'msg', magika: ['outlook'], mime: ['application/vnd.ms-outlook'] },
  { type_description: 'HTML', type_tag: 'html', type_tags: ['internet', 'html'], type_extension: 'html', magika: ['html', 'mht'], mime: ['text/html'] },
  { type_description: 'XML', type_tag: 'xml', type_tags: ['internet', 'xml'], type_extension: 'xml', magika: ['xml'], mime: ['text/xml', 'application/xml'] },

  // Scripts and source. A shebang is a structural signal, so libmagic's "... script" wins there.
  { type_description: 'JavaScript', type_tag: 'javascript', type_tags: [SOURCE, 'javascript', 'js'], type_extension: 'js', magic: [/^Node\.js script/], magika: ['javascript', 'typescript'], mime: ['application/javascript', 'text/javascript'] },
  { type_description: 'Powershell', type_tag: 'powershell', type_tags: [SOURCE, 'powershell', 'ps', 'ps1'], type_extension: 'ps1', magika: ['powershell'] },
  { type_description: 'Shell script', type_tag: 'shell', type_tags: [SOURCE, 'shell', 'sh'], type_extension: 'sh', magic: [/shell script/, /zsh script/], magika: ['shell'], mime: ['text/x-shellscript'] },
  { type_description: 'Python', type_tag: 'python', type_tags: [SOURCE, 'python', 'py'], type_extension: 'py', magic: [/^Python script/], magika: ['python'], mime: ['text/x-script.python', 'text/x-python'] },
  { type_description: 'Perl', type_tag: 'perl', type_tags: [SOURCE, 'perl', 'pl'], type_extension: 'pl', magic: [/^Perl script/], magika: ['perl'], mime: ['text/x-perl'] },
  { type_description: 'Ruby', type_tag: 'ruby', type_tags: [SOURCE, 'ruby', 'rb'], type_extension: 'rb', magic: [/^Ruby script/], magika: ['ruby'], mime: ['text/x-ruby'] },
  { type_description: 'PHP', type_tag: 'php', type_tags: [SOURCE, 'php'], type_extension: 'php', magic: [/^PHP script/], magika: ['php'], mime: ['text/x-php'] },
  { type_description: 'DOS batch file', type_tag: 'batch', type_tags: [SOURCE, 'batch', 'bat'], type_extension: 'bat', magika: ['batch'], mime: ['text/x-msdos-batch'] },
  { type_description: 'VBScript', type_tag: 'vba', type_tags: [SOURCE, 'vba', 'vbs'], type_extension: 'vbs', magika: ['vba'] },
  { type_description: 'C', type_tag: 'c', type_tags: [SOURCE, 'c'], type_extension: 'c', magika: ['c'] },
  { type_description: 'C++', type_tag: 'cpp', type_tags: [SOURCE, 'cpp'], type_extension: 'cpp', magika: ['cpp'] },
  { type_description: 'Java', type_tag: 'java', type_tags: [SOURCE, 'java'], type_extension: 'java', magika: ['java'] },
  { type_description: 'JSON', type_tag: 'json', type_tags: ['text', 'json'], type_extension: 'json', magika: ['json', 'jsonl'], mime: ['application/json'] },

  // Images and media.
  { type_description: 'PNG', type_tag: 'png', type_tags: ['image', 'png'], type_extension: 'png', magic: [/^PNG image data/], magika: ['png'], mime: ['image/png'] },
  { type_description: 'JPEG', type_tag: 'jpeg', type_tags: ['image', 'jpeg'], type_extension: 'jpg', magic: [/^JPEG image data/], magika: ['jpeg'], mime: ['image/jpeg'] },
  { type_description: 'GIF', type_tag: 'gif', type_tags: ['image', 'gif'], type_extension: 'gif', magic: [/^GIF image data/], magika: ['gif'], mime: ['image/gif'] },
  { type_description: 'BMP', type_tag: 'bmp', type_tags: ['image', 'bmp'], type_extension: 'bmp', magic: [/^PC bitmap/], magika: ['bmp'], mime: ['image/bmp', 'image/x-ms-bmp'] },
  { type_description: 'ICO', type_tag: 'ico', type_tags: ['image', 'ico'], type_extension: 'ico', magic: [/^MS Windows icon resource/], magika: ['ico'], mime: ['image/vnd.microsoft.icon'] },
  { type_description: 'TIFF', type_tag: 'tiff', type_tags: ['image', 'tiff'], type_extension: 'tif', magic: [/^TIFF image data/], magika: ['tiff'], mime: ['image/tiff'] },
  { type_description: 'SVG', type_tag: 'svg', type_tags: ['image', 'svg'], type_extension: 'svg', magika: ['svg'], mime: ['image/svg+xml'] },
  { type_description: 'MP3', type_tag: 'mp3', type_tags: ['audio', 'mp3'], type_extension: 'mp3', magika: ['mp3'], mime: ['audio/mpeg'] },
  { type_description: 'MP4', type_tag: 'mp4', type_tags: ['video', 'mp4'], type_extension: 'mp4', magika: ['mp4'], mime: ['video/mp4'] },
  { type_description: 'TrueType Font', type_tag: 'ttf', type_tags: ['font', 'ttf'], type_extension: 'ttf', magika: ['ttf'], mime: ['font/sfnt'] },

  // Generic last: empty input, then any text.
  { type_description: 'Empty file', type_tag: 'empty', type_tags: ['empty'], magic: [/^empty$/], magika: ['empty'], mime: ['application/x-empty', 'inode/x-empty'] },
  { type_description: 'Text', type_tag: 'text', type_tags: ['text'], type_extension: 'txt', magika: ['txt', 'randomtxt', 'markdown', 'csv', 'tsv', 'ini', 'yaml', 'toml'], mime: ['text/*'] },
];

/** When no rule matches: unrecognised binary data. */
export const VT_UNKNOWN_TYPE: VtFileType = { type_description: 'unknown', type_tag: 'unknown', type_tags: ['unknown'] };
