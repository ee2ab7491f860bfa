/** A file object: a submitted sample, known by its hashes. */
import type { FileHashes } from '../hashes.js';
import type { SubmittedItem } from './submitted-item.js';

export interface FileObject extends FileHashes, SubmittedItem {
  size: number;
  names: string[];
  reputation: number;
  totalVotes: { harmless: number; malicious: number };
}
