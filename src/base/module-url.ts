// Modules started by URL (worker threads, child processes) are named without hard-coding an
// extension: from the sources Node runs `.ts` files, from the compiled package (`dist/`) `.js`
// files, and TypeScript rewrites only the extensions of import specifiers, not of URLs.

/** The URL of the module `stem` next to the module at `moduleUrl`, with that module's extension. */
export function siblingModuleUrl(moduleUrl: string, stem: string): URL {
  const extension = new URL(moduleUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${stem}${extension}`, moduleUrl);
}
