#!/usr/bin/env node
// `npm run infra:up`: start whatever of PostgreSQL / Redis / Kafka is not already reachable.
// Importing this file does not run it; it re-exports the library for other scripts.

import { infraUp } from './index.mjs';
import { isMain, runCli } from './lib.mjs';

export * from './index.mjs';

if (isMain(import.meta.url)) runCli(() => infraUp());
