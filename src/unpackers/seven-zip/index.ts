/** The 7-Zip unpacker: opens submitted password-protected ZIPs with 7zz. */
export { SevenZipUnpacker, type SevenZipUnpackerOptions } from './seven-zip-unpacker.js';
