#!/usr/bin/env node
// The `kv` bin. pnpm links bins when it installs, before anything is built, and skips a bin
// whose file does not exist yet; this launcher always exists and loads the built CLI.
import "../dist/main.js";
