// The release this code is: the package version, read from package.json (the one source), for
// `witan --version`, GET /status, the witan_build_info metric and the HTTP client's User-Agent.

import packageJson from '../../package.json' with { type: 'json' };

export const WITAN_VERSION: string = packageJson.version;
