// Generates TypeScript types and NestJS gRPC interfaces from proto/ into
// libs/contracts/src/generated (ts-proto through `buf generate`). The output is not
// committed: build, lint and test run this first.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runAll } from './steps';

rmSync(path.join(ROOT, 'libs/contracts/src/generated'), { recursive: true, force: true });
runAll([['generate gRPC contracts from proto/', 'buf', ['generate']]]);
