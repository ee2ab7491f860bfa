// Which thrown errors mean a backing service (database, disk, Redis) is down or full rather than a bug: they answer 503, not 500.

/** Socket and file-system errno codes of a store that is unreachable, full or read-only. */
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTCONN', 'EAI_AGAIN', 'ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * PostgreSQL SQLSTATEs of a server that is down, restarting or out of resources: class 08
 * (connection exception), 53 (insufficient resources: disk full, out of memory, too many
 * connections), 57P01–57P03 (shut down, crashed, still starting), 58 (system I/O error).
 */
const unavailableSqlState = /^(08|53|57P0[1-3]|58)/;

/** SQLite result codes (better-sqlite3 `code`) of a full, locked or failing disk. */
const unavailableSqlite = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|CANTOPEN|READONLY|PROTOCOL)/;

/** Errors without a code that pg and ioredis raise when their connection is gone or times out. */
const unavailableMessage = /^(Connection terminated|timeout exceeded when trying to connect|Connection is closed|Stream isn't writeable|Command timed out|Reached the max retries per request limit)/;

/** True when `error`, or any error in its `cause` chain, says a backing service is unavailable. */
export function isBackendUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    if (typeof code === 'string' && (unavailableErrnos.has(code) || unavailableSqlite.test(code))) return true;
    // pg's DatabaseError carries the SQLSTATE in `code` and is named 'error'.
    if (typeof code === 'string' && name === 'error' && /^[0-9A-Z]{5}$/.test(code) && unavailableSqlState.test(code)) return true;
    if (name === 'MaxRetriesPerRequestError') return true;
    if (typeof message === 'string' && unavailableMessage.test(message)) return true;
  }
  return false;
}
