import { pairId } from '@app/contracts';

/**
 * The id of an unordered pair of users (the contract's `pairId`): the Kafka key of
 * friendship events and the name of the lock that serialises changes to one pair.
 */
export const pairKey = pairId;
