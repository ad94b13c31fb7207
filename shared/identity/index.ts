// identify: bearer token → Principal (see DESIGN.md, "The one pipeline").
export { issuerSchema, SIGNING_ALGORITHMS, type IssuerConfig } from './schema.js';
export { inAnyGroup, type Principal } from './principal.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
