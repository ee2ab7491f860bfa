/**
 * Visibility scopes: who may see a private submission and what was written under it. A scope is
 * `*` (everyone), `user:<id>` or `group:<id>`; comments, votes, analyses and submission counts
 * written while a file was seen privately carry the scope they were written under.
 */

/** The scope that means everyone: public submissions, and comments and votes written in public. */
export const EVERYONE = '*';
