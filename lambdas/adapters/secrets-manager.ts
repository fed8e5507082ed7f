import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedKey, type KeyProvider } from '#notify/secret.ts';

/** The link-signing key from a Secrets Manager secret (its SecretString), cached. */
export function secretsManagerKey(secretId: string, client: SecretsManagerClient = new SecretsManagerClient({})): KeyProvider {
  return cachedKey(async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (!out.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
    return out.SecretString;
  });
}
