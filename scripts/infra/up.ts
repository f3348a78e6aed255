// `npm run infra:up`: start whatever of PostgreSQL / Redis / Kafka is not already reachable,
// with the databases of the development stack.
import { infraUp } from './index';
import { runCli } from './lib';
import { profiles } from '../stack/profiles';

runCli(() => infraUp({ databases: Object.values(profiles.up().databases) }));
