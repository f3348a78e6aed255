import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asyncApiDocument } from './asyncapi';
import { ALL_TOPICS } from './topics';

describe('AsyncAPI catalog', () => {
  const document = asyncApiDocument() as {
    asyncapi: string;
    channels: Record<string, { address: string }>;
    components: { messages: Record<string, { payload: { properties: Record<string, unknown> } }> };
  };

  it('docs/asyncapi.yaml matches the contracts (run `npm run asyncapi` after a change)', () => {
    const committed: unknown = parse(
      readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'),
    );
    expect(committed).toEqual(document);
  });

  it('has a channel with an envelope and a payload schema for every topic', () => {
    expect(document.asyncapi).toBe('3.0.0');
    const addresses = Object.values(document.channels).map((c) => c.address);
    expect(addresses.sort()).toEqual([...ALL_TOPICS].sort());
    for (const message of Object.values(document.components.messages)) {
      expect(message.payload.properties).toEqual(
        expect.objectContaining({ id: expect.anything(), payload: expect.anything() }),
      );
    }
  });
});
