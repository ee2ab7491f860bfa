/** Archive handling: unpacking submitted password-protected ZIPs with 7-Zip's 7zz. */
export { SevenZipUnpacker, type SevenZipUnpackerOptions } from './seven-zip-unpacker.js';
