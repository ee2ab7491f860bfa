/** The authenticated caller of a use case. */

export interface Principal {
  userId: string;
  name: string;
  isAdmin: boolean;
  tier: string;
}
