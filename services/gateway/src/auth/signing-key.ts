// The key that signs the gateway's tokens (ES256, P-256). It is never kept in a database, where any
// copy, dump or loose file would hand it out: in the distributed runtime it is given (a Kubernetes
// Secret, GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE, PKCS#8 PEM) and shared by the replicas;
// embedded it lives in its own file under DATA_DIR, readable by its owner only, made at first start.
// Older versions kept it in the gateway's database (table signing_keys): a start moves it out to the
// file (or drops it, when the key is given) so that nobody is signed out by the upgrade.
import { randomUUID } from 'node:crypto';
import { chmod, link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type CryptoKey, type JWK } from 'jose';
import type { Logger } from 'pino';
import type { Database } from '@airline/database';

export const SIGNING_ALG = 'ES256';

export interface SigningKey {
  /** JWK thumbprint of the public key: the `kid` of every token signed with it. */
  kid: string;
  privateKey: CryptoKey;
  /** The public half, as published at /.well-known/jwks.json. */
  publicJwk: JWK;
  /** PKCS#8 PEM of the private key (what the key file holds). */
  pem: string;
}

/** Where the key comes from: given (a Secret), or kept in a file of its own (made when missing). */
export type SigningKeySource = { pem: string; name?: string } | { file: string };

/** A key made now, for one process only (tests, an in-memory gateway): nothing signed with it survives. */
export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  return fromPrivateKey(privateKey);
}

/** A PKCS#8 PEM P-256 private key (`openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`). */
export async function signingKeyFromPem(pem: string, name = 'the signing key'): Promise<SigningKey> {
  let privateKey: CryptoKey;
  try {
    privateKey = await importPKCS8(pem.trim(), SIGNING_ALG, { extractable: true });
  } catch {
    throw new Error(
      `${name} is not a P-256 private key in PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"); make one with: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`,
    );
  }
  return fromPrivateKey(privateKey);
}

async function fromPrivateKey(privateKey: CryptoKey): Promise<SigningKey> {
  const { kty, crv, x, y } = await exportJWK(privateKey);
  const bare = { kty: kty!, crv: crv!, x: x!, y: y! };
  const kid = await calculateJwkThumbprint(bare);
  return { kid, privateKey, publicJwk: { ...bare, kid, alg: SIGNING_ALG, use: 'sig' }, pem: await exportPKCS8(privateKey) };
}

/**
 * The key kept in `path`: read when it is there (a file others could read is made private, with a
 * warning), else `initial` (the key an older version kept in the database) or a new one, written with
 * mode 0600. The file appears whole or not at all: written aside, then linked into place.
 */
export async function signingKeyFile(path: string, log: Logger, initial?: SigningKey): Promise<SigningKey> {
  try {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) {
      log.warn(
        { file: path, mode: mode.toString(8) },
        'the token signing key was readable by others: made private (0600); anyone who read it can sign tokens, so replace it if this machine is shared',
      );
      await chmod(path, 0o600);
    }
    return await signingKeyFromPem(await readFile(path, 'utf8'), path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = initial ?? (await generateSigningKey());
  const aside = `${path}.${randomUUID()}.tmp`;
  await writeFile(aside, key.pem, { mode: 0o600, flag: 'wx' });
  try {
    await link(aside, path);
  } catch (err) {
    // another process made it first: theirs is the key
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return signingKeyFile(path, log);
    throw err;
  } finally {
    await unlink(aside);
  }
  return key;
}

/** The key an older version kept in the gateway's database, if any (read before the migration drops the table). */
export async function keyKeptInDatabase(db: Database): Promise<SigningKey | undefined> {
  const table = (await db.query<{ t: string | null }>("SELECT to_regclass('signing_keys')::text AS t")).rows[0]?.t;
  if (!table) return undefined;
  const row = (await db.query<{ private_jwk: JWK }>('SELECT private_jwk FROM signing_keys ORDER BY created_at DESC, kid LIMIT 1')).rows[0];
  if (!row) return undefined;
  const privateKey = await importJWK(row.private_jwk, SIGNING_ALG, { extractable: true });
  return fromPrivateKey(privateKey as CryptoKey);
}

/**
 * The signing key for this start. Given: used (a key still in the database is dropped by the migration:
 * tokens it signed are no longer accepted). Kept in a file: read, or moved there from the database, or
 * made. Neither: a key of this process only — refused when the database holds one, since that key would
 * be dropped and everybody signed out without anyone having decided so.
 */
export async function resolveSigningKey(source: SigningKeySource | undefined, db: Database, log: Logger): Promise<SigningKey> {
  const kept = await keyKeptInDatabase(db);
  if (source && 'pem' in source) {
    const key = await signingKeyFromPem(source.pem, source.name);
    if (kept && kept.kid !== key.kid)
      log.warn(
        { kid: kept.kid },
        'the signing key an older version kept in the database is dropped; tokens it signed are no longer accepted',
      );
    return key;
  }
  if (source) {
    const key = await signingKeyFile(source.file, log, kept);
    if (kept)
      log.warn(
        { file: source.file, kid: kept.kid },
        'the token signing key was moved out of the gateway database into its own file (0600)',
      );
    return key;
  }
  if (kept)
    throw new Error(
      "the gateway's database holds the token signing key (an older version kept it there): say where it lives now (signingKey: { file } or { pem })",
    );
  return generateSigningKey();
}

/**
 * The key given by the environment: GATEWAY_SIGNING_KEY (the PEM itself, e.g. from a Kubernetes
 * Secret) or GATEWAY_SIGNING_KEY_FILE (a file that holds it, e.g. a mounted Secret); undefined when neither.
 */
export async function signingKeyFromEnv(env: NodeJS.ProcessEnv): Promise<SigningKeySource | undefined> {
  if (env.GATEWAY_SIGNING_KEY && env.GATEWAY_SIGNING_KEY_FILE)
    throw new Error('set GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE, not both');
  if (env.GATEWAY_SIGNING_KEY) return { pem: env.GATEWAY_SIGNING_KEY, name: 'GATEWAY_SIGNING_KEY' };
  if (env.GATEWAY_SIGNING_KEY_FILE)
    return {
      pem: await readFile(env.GATEWAY_SIGNING_KEY_FILE, 'utf8'),
      name: `GATEWAY_SIGNING_KEY_FILE (${env.GATEWAY_SIGNING_KEY_FILE})`,
    };
  return undefined;
}
