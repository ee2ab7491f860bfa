/** The authenticated caller of a use case. */

export interface Principal {
  userId: string;
  name: string;
  isAdmin: boolean;
  tier: string;
  /** Privilege names granted to the user (VT's `download`, `private_scanning`, `intelligence`, ...). */
  privileges: readonly string[];
  /** The group whose quotas the user also draws from, if any. */
  groupId: string | null;
}
