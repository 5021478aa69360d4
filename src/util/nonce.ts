import { randomBytes } from 'crypto';

/** A fresh, unguessable nonce for a webview's Content-Security-Policy. */
export function makeNonce(): string {
  return randomBytes(18)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '');
}
