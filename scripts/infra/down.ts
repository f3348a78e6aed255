// `npm run infra:down`: stop only what `infra:up` started (see .infra/state.json).
import { infraDown } from './index';
import { runCli } from './lib';

runCli(() => infraDown());
