// identify: bearer token → Principal (docs/architecture.md, "The pipeline").
export { issuerSchema, SIGNING_ALGORITHMS, type IssuerConfig } from './schema.js';
export { inAnyGroup, type Principal } from './principal.js';
export { createVerifier, type Verifier, type VerifierOptions } from './verifier.js';
