import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { socketAsyncApiDocument } from './asyncapi';
import { AckExamples, ClientEventExamples, ServerEventExamples } from './examples';
import { CLIENT_EVENT_NAMES, ClientEventSchemas, ServerEventSchemas } from './schemas';

describe('socket.io API (AsyncAPI)', () => {
  const document = socketAsyncApiDocument();

  it('docs/socket-asyncapi.yaml matches the contracts (run `npm run asyncapi` after a change)', () => {
    const committed: unknown = parse(
      readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'socket-asyncapi.yaml'), 'utf8'),
    );
    expect(committed).toEqual(document);
  });

  it('is a valid AsyncAPI 3 document', async () => {
    const { diagnostics, document: parsed } = await new Parser().parse(document as never);
    // Errors only (DiagnosticSeverity.Error is 0); warnings and hints are style advice.
    expect(diagnostics.filter((d) => Number(d.severity) === 0)).toEqual([]);
    expect(parsed?.operations().length).toBe(
      CLIENT_EVENT_NAMES.length + Object.keys(ServerEventSchemas).length,
    );
  });

  it('has examples that its own schemas accept', () => {
    for (const event of CLIENT_EVENT_NAMES) {
      expect({
        event,
        ok: ClientEventSchemas[event].payload.safeParse(ClientEventExamples[event]).success,
      }).toEqual({ event, ok: true });
      const ack = AckExamples[event];
      if (ack)
        expect({ event, ok: ClientEventSchemas[event].ack.safeParse(ack).success }).toEqual({
          event,
          ok: true,
        });
    }
    for (const [event, entry] of Object.entries(ServerEventSchemas)) {
      const example = ServerEventExamples[event as keyof typeof ServerEventExamples];
      expect({ event, ok: entry.payload.safeParse(example).success }).toEqual({ event, ok: true });
    }
  });
});
