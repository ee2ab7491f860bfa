/** The process logger: JSON lines on stderr, so stdout stays for what a command prints. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
