/** A submission of a file: when, how and under which name it was sent, and by whom (anonymised). */

export interface Submission {
  /** `f-<sha256>-<unix seconds>-<4 hex>`: VT's shape, with a suffix so two in one second stay apart. */
  id: string;
  sha256: string;
  /** Unix seconds. */
  date: number;
  /** How it came: `api` (an upload, or a member of an uploaded ZIP) or `url` (a body the URL job downloaded). */
  interface: string;
  name: string | null;
  /** VT's anonymised submitter token: 8 hex, the same for every submission of one user. */
  sourceKey: string | null;
  /** `*` for a public submission, else the private owner (`user:<id>` or `group:<id>`). */
  owner: string;
}
