/** Analyzers: plugins that add attributes (file type, fuzzy hashes) to the VT file object. */
export * from './filetype/index.js';
export * from './fuzzy/index.js';
