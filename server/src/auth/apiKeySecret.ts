import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** What a key looks like: gt_<id>_<secret>, the secret 43 base64url characters (256 bits). */
const KEY_PATTERN = /^gt_([1-9][0-9]{0,17})_([A-Za-z0-9_-]{43})$/;

/**
 * scrypt with N = 2^14, r = 8 (16 MiB, some tens of milliseconds): slow enough that a stolen
 * table of hashes cannot be searched, fast enough for the first request of each key (later ones
 * hit the verification cache).
 */
const SCRYPT: ScryptOptions = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const HASH_BYTES = 32;

export interface ParsedKey {
  id: string;
  secret: string;
}

/** A fresh secret for the key row `id`, and the full key the user gets once. */
export function newKeySecret(id: string): { key: string; secret: string } {
  const secret = randomBytes(32).toString("base64url");
  return { key: `gt_${id}_${secret}`, secret };
}

/** The key's id and secret, or null when the text is not shaped like a key. */
export function parseKey(text: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(text);
  return match ? { id: match[1], secret: match[2] } : null;
}

/** "scrypt$N$r$p$salt$hash": the parameters travel with the hash, so they can change later. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, HASH_BYTES, SCRYPT);
  return ["scrypt", SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/** Compares in constant time; a stored value in an unknown format never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await scryptAsync(secret, Buffer.from(salt, "base64url"), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A fast digest of a whole key, to find it in the verification cache without keeping the key itself. */
export function keyDigest(key: string): string {
  return createHash("sha256").update(key).digest("base64url");
}

function scryptAsync(secret: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, length, options, (error, derived) => (error ? reject(error) : resolve(derived))),
  );
}
