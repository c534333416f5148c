// pnpm never links a package's own bins, so `pnpm --filter cli exec kv` would not find `kv`.
// This links it as a node script rather than a shell shim: sh resets $PWD to the package
// directory, and $PWD is how the CLI learns where the user ran `pnpm exec` (pnpm sets
// INIT_CWD for `pnpm run` only), which is what `--dir ./data` must be relative to.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";

const binDir = new URL("../node_modules/.bin/", import.meta.url);
const launcher = new URL("../bin/kv.js", import.meta.url);
mkdirSync(binDir, { recursive: true });
const link = new URL("kv", binDir);
writeFileSync(link, `#!/usr/bin/env node\nimport(${JSON.stringify(launcher.href)});\n`);
chmodSync(link, 0o755);
