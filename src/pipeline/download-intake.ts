/**
 * The port through which the URL job hands a downloaded body to the file intake, so the body is
 * recorded like every other file. Implemented by app/intake, wired in bootstrap.
 */

export interface DownloadIntake {
  /**
   * Stores `body` and records it as a public file downloaded for URL `urlId` (under `name`, when the
   * URL's path gives one), with an analysis the caller runs itself, inline: the URL's verdict needs it.
   */
  submitDownload(body: Uint8Array, origin: { urlId: string; name?: string }): Promise<{ analysisId: string; sha256: string }>;
}
