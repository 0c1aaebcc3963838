/**
 * Kiln's version, and the identity of the code a build holds (what a compile cache's entries depend on).
 *
 * @module
 */

/** Kiln's version, as `kiln --version` prints it. */
export const VERSION = "0.1.0";

// Set by tools/build.ts (esbuild `define`) in a bundle: a hash of the sources it was built from.
declare const KILN_BUILD_ID: string | undefined;

/**
 * What produced a compile cache's entries: a bundle's build (a hash of its sources), else, run from the sources,
 * the version. Why not always the version: a build changes with every source edit, a version does not.
 */
export const CODE_ID: string = typeof KILN_BUILD_ID === "string" ? KILN_BUILD_ID : `source-${VERSION}`;

/** Whether this code runs from a bundle with a build identity (its compile cache entries can never be stale). */
export const BUILT: boolean = typeof KILN_BUILD_ID === "string";
