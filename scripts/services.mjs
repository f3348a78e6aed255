// The four services as `npm run up` runs them: built code, one process each, logs and pid
// files under .infra/services/.
import path from 'node:path';
import { INFRA_DIR, REPO_ROOT } from './infra/lib.mjs';

export const SERVICES = [
  { name: 'profile', http: 3002, grpc: 50052 },
  { name: 'auth', http: 3001, grpc: 50051 },
  { name: 'friends', http: 3003, grpc: 50053 },
  { name: 'messenger', http: 3004 },
];

export const servicePaths = (name) => ({
  entry: path.join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js'),
  pidFile: path.join(INFRA_DIR, 'services', `${name}.pid`),
  logFile: path.join(INFRA_DIR, 'services', `${name}.log`),
});
