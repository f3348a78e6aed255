#!/usr/bin/env node
// `npm run infra:down`: stop only what `infra:up` started (see .infra/state.json).
// Importing this file does not run it; it re-exports the library for other scripts.

import { infraDown } from './index.mjs';
import { isMain, runCli } from './lib.mjs';

export * from './index.mjs';

if (isMain(import.meta.url)) runCli(() => infraDown());
