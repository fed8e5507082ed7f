import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeyProvider } from '#core/ports.ts';
import { cachedKey } from '#core/signing-key.ts';

/**
 * The link-signing key from a Secrets Manager secret (its SecretString), cached. The client
 * comes from `app/compose.ts`, the one place clients are built.
 */
export function secretsManagerKey(secretId: string, client: SecretsManagerClient): KeyProvider {
  return cachedKey(async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
    return out.SecretString;
  });
}
