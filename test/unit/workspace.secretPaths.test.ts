import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { envFileSecrets } from '../../src/agent/sandbox/scrubOutput';
import { secretFileKind, secretFileRefusal } from '../../src/agent/workspace/secretPaths';
import { secretFileAt } from '../../src/agent/workspace/workspacePaths';

describe('files that hold secrets', () => {
  const secret: [string, string][] = [
    ['.env', 'an environment file'],
    ['api/.env.production', 'an environment file'],
    ['.ENV.local', 'an environment file'],
    ['.envrc', 'an environment file'],
    ['deploy/prod.env', 'an environment file'],
    ['deploy/id_rsa', 'a private key'],
    ['certs/server.pem', 'a private key'],
    ['tls/site.key', 'a private key'],
    ['.npmrc', 'a credentials file'],
    ['home/.aws/credentials', 'a credentials file'],
    ['.docker/config.json', 'a credentials file'],
    ['config/secrets.yml', 'a secrets file'],
    ['credentials.json', 'a secrets file'],
    ['infra/terraform.tfstate', 'a Terraform state or variables file'],
  ];
  for (const [path, kind] of secret) test(`${path}: ${kind}`, () => assert.equal(secretFileKind(path), kind));

  test('templates, public keys and code about the environment are ordinary files', () => {
    for (const path of ['.env.example', '.env.sample', 'config/.env.template', 'deploy/id_rsa.pub', 'src/env.ts', 'src/environment.js', 'src/keys.ts', 'config/secrets.example.yml', 'docs/credentials.md', 'src/dotenv.js']) {
      assert.equal(secretFileKind(path), undefined, path);
    }
  });

  test('a link is judged by what it points at, and the refusal says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'plumbline-secrets-'));
    try {
      writeFileSync(join(root, '.env'), 'KEY=1\n');
      symlinkSync('.env', join(root, 'notes.txt'));
      writeFileSync(join(root, 'plain.txt'), 'hi\n');
      const found = await secretFileAt(root, 'notes.txt');
      assert.deepEqual(found, { kind: 'an environment file', linkTo: '.env' });
      assert.match(secretFileRefusal('notes.txt', found ?? assert.fail('not found')), /^Refused: notes\.txt is a link to \.env, an environment file, and may hold secrets/);
      assert.equal(await secretFileAt(root, 'plain.txt'), undefined);
      assert.equal(await secretFileAt(root, 'missing.txt'), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

test("an environment file's secrets are its credential-named and generated-looking values, not its settings", () => {
  const found = envFileSecrets(['# comment', 'export DB_PASSWORD="correct-horse-battery"', 'NODE_ENV=development', "API_TOKEN='abc'", 'SESSION_SALT=x7Hq2kLm9pQz', 'PORT=3000', 'RANDOM=A1b2C3d4E5f6G7', 'EMPTY=', 'not a line'].join('\n'));
  assert.deepEqual(found, [
    { name: 'DB_PASSWORD', value: 'correct-horse-battery' },
    { name: 'SESSION_SALT', value: 'x7Hq2kLm9pQz' },
    { name: 'RANDOM', value: 'A1b2C3d4E5f6G7' },
  ]);
});
