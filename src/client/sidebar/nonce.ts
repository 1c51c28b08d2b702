import { randomBytes } from 'node:crypto';

/** A fresh, unguessable nonce for a webview's CSP: 128 bits, base64 without padding characters. */
export function createNonce(): string {
  return randomBytes(16).toString('base64').replace(/[+/=]/g, '');
}
