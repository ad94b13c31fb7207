// One key per purpose, derived (HKDF-SHA256) from PORTCULLIS_LINK_SIGNING_KEY: link tokens, CSRF
// tokens and the dev sign-in cookie never share a key, so a value minted for one purpose (a dev
// sign-in cookie whose subject the user typed, say) can never pass as another.
import { hkdfSync } from 'node:crypto';

export interface ReviewKeys {
  link: Uint8Array;
  csrf: Uint8Array;
  signIn: Uint8Array;
}

const derive = (master: Uint8Array, purpose: string) =>
  new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), `portcullis/approvals/${purpose}/v1`, 32));

export function deriveKeys(master: Uint8Array): ReviewKeys {
  return { link: derive(master, 'link-token'), csrf: derive(master, 'csrf'), signIn: derive(master, 'dev-sign-in') };
}
