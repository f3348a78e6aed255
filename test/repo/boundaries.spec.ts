/**
 * `npm run lint` must fail when an app imports another app or reaches into a lib's
 * internals, or when a service or domain file of an app imports its transport edge. Runs
 * the real dependency-cruiser with the repo's rules over a small tree written for the
 * purpose.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function cruise(files: Record<string, string>): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'boundaries-'));
  try {
    const tree = {
      'tsconfig.json': JSON.stringify({
        compilerOptions: { baseUrl: '.', paths: { '@app/kafka': ['libs/kafka/src'] } },
      }),
      'libs/kafka/src/index.ts': "export * from './internal';\n",
      'libs/kafka/src/internal.ts': 'export const bus = 1;\n',
      'apps/profile/src/main.ts': 'export const profile = 1;\n',
      ...files,
    };
    for (const [path, content] of Object.entries(tree)) {
      mkdirSync(join(dir, dirname(path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    // On the Node running this spec, not whichever `node` PATH finds first.
    const result = spawnSync(
      process.execPath,
      [
        realpathSync(join(ROOT, 'node_modules', '.bin', 'depcruise')),
        '--config',
        join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'err',
        'apps',
        'libs',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('import boundaries (dependency-cruiser rules of npm run lint)', () => {
  it('accepts an app that uses a lib through its alias', () => {
    const result = cruise({
      'apps/auth/src/main.ts': "import { bus } from '@app/kafka';\nexport const x = bus;\n",
    });
    expect(result.output).toContain('no dependency violations');
    expect(result.status).toBe(0);
  });

  it('fails when an app imports another app', () => {
    const result = cruise({
      'apps/auth/src/main.ts':
        "import { profile } from '../../profile/src/main';\nexport const x = profile;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-app-to-app');
  });

  it("fails when an app reaches into a lib's internals", () => {
    const result = cruise({
      'apps/auth/src/main.ts':
        "import { bus } from '../../../libs/kafka/src/internal';\nexport const x = bus;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('libs-through-their-index');
  });

  it.each([
    ['a service imports a transport DTO', 'accounts.service.ts', './dto/login.dto'],
    ['a repository imports a controller', 'accounts.repository.ts', './accounts.grpc.controller'],
  ])('fails when %s of its app', (_case, file, target) => {
    const result = cruise({
      'apps/auth/src/accounts/dto/login.dto.ts': 'export const LoginDto = 1;\n',
      'apps/auth/src/accounts/accounts.grpc.controller.ts': 'export const route = 1;\n',
      [`apps/auth/src/accounts/${file}`]: `import * as edge from '${target}';\nexport const x = edge;\n`,
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('domain-not-on-the-edge');
  });

  it('accepts a controller that maps a DTO for its service', () => {
    const result = cruise({
      'apps/auth/src/accounts/dto/login.dto.ts': 'export class LoginDto {}\n',
      'apps/auth/src/accounts/accounts.service.ts': 'export const login = 1;\n',
      'apps/auth/src/accounts/accounts.controller.ts':
        "import { LoginDto } from './dto/login.dto';\nimport { login } from './accounts.service';\n" +
        'export const x = [LoginDto, login];\n',
    });
    expect(result.output).toContain('no dependency violations');
    expect(result.status).toBe(0);
  });

  it('fails when a lib imports an app', () => {
    const result = cruise({
      'libs/kafka/src/internal.ts':
        "import { profile } from '../../../apps/profile/src/main';\nexport const bus = profile;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-lib-to-app');
  });
});
