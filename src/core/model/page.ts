/** One page of a listing, with the opaque cursor for the next. */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; absent on the last page. */
  cursor?: string;
}
