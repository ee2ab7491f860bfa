/** Names that lie about a file's type: a document extension before an executable one, or a right-to-left override. */

const DOC_EXT = /\.(?:pdf|docx?|xlsx?|pptx?|rtf|txt|jpe?g|png|gif|bmp|mp[34]|avi|mov|zip|rar|html?)\s*\.(?:exe|scr|com|pif|bat|cmd|vbs|vbe|js|jse|wsf|hta|lnk|ps1)$/i;

/** The first name among `names` that lies about its type, or undefined. */
export function misleadingName(names: readonly string[]): string | undefined {
  return names.find((n) => n.includes('\u202e') || DOC_EXT.test(n.replace(/\s{2,}/g, ' ')));
}
