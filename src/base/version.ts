// The release this code belongs to. package.json is the one place a version is written; it is
// read as a JSON module, which resolves alike from the sources (src/base/) and from the
// compiled package (dist/base/): both sit two folders below package.json. Used by
// `witan --version`, GET /status, the witan_build_info metric and the HTTP client's User-Agent.

import packageJson from '../../package.json' with { type: 'json' };

/** The version of this release of Witan, e.g. "0.1.0". */
export const WITAN_VERSION: string = packageJson.version;
