// The reviewer's page, opened from a card's Approve or Deny link (`/api/review/{id}?t=<link token>`).
// The link says which approval and which action; the reviewer must also be signed in (App Service
// Authentication, or the dev sign-in locally) and eligible, exactly as for the decision API. The
// form posts back to the same path with the link, a CSRF token and the reviewer's reason.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { readAll } from '../platform/bytes.js';
import { Refusal } from '../platform/problem.js';
import { REVIEW_PATH } from '../platform/routes.js';
import type { ApprovalContext } from './context.js';
import { csrfToken, csrfValid, sameOrigin } from './csrf.js';
import { submitDecision } from './decision.js';
import { pageResponse } from './html.js';
import type { Person } from './people.js';
import { verifyLink } from './link-token.js';
import { decidedPage, refusalPage, reviewPage, signInPage } from './pages.js';
import {
  crossSite,
  csrfInvalid,
  invalidForm,
  missingLink,
  noDevSignIn,
  notSignedIn,
  signInUnavailable,
  unknownApproval,
  unknownSignInIssuer,
  unsupportedForm,
} from './refusals.js';
import { appServiceReviewer, devReviewer, SIGN_IN_COOKIE, SIGN_IN_TTL_SECONDS, signInCookie } from './reviewer.js';
import { applyVerdict } from './state.js';

const MAX_FORM_BYTES = 16 * 1024;

export async function showReview(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  return asPage(async () => {
    const id = req.params.id ?? '';
    const reviewer = signedIn(ctx, req);
    if (!reviewer) return signInRequired(ctx, req);
    const token = req.query.get('t');
    if (!token) throw missingLink();
    const now = ctx.now();
    const link = await verifyLink(ctx.keys.link, token, { approvalId: id }, now);
    const approval = await ctx.store.get(id);
    if (!approval) throw unknownApproval(id);
    // A dry run of the decision, so the page says now what submitting would say (not a reviewer,
    // own request, closed, expired, link used) instead of offering a form that cannot work.
    applyVerdict(approval, reviewer, { verdict: link.action, via: 'page', link: link.jti }, now);
    const view = await ctx.held.getView(id);
    const csrf = csrfToken(ctx.keys.csrf, reviewer, id, link.jti);
    return pageResponse(200, reviewPage({ approval, view, reviewer, action: link.action, token, csrf, now }));
  });
}

const decisionForm = z.object({
  t: z.string().min(1).max(4096),
  csrf: z.string().min(1).max(200),
  decision: z.enum(['approve', 'deny']),
  reason: z.string().trim().max(1000).optional().transform((r) => r || undefined),
});

export async function submitReview(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  return asPage(async () => {
    const id = req.params.id ?? '';
    if (!sameOrigin(req.headers.get('origin'), ctx.config.publicUrl)) throw crossSite('This form can only be sent from the review page itself.');
    const reviewer = signedIn(ctx, req);
    if (!reviewer) throw notSignedIn('Sign in, then open the link from the card again.');
    const form = parseForm(decisionForm, await readForm(req));
    const link = await verifyLink(ctx.keys.link, form.t, { approvalId: id, action: form.decision }, ctx.now());
    if (!csrfValid(ctx.keys.csrf, form.csrf, reviewer, id, link.jti)) throw csrfInvalid();
    const approval = await submitDecision(ctx, id, reviewer, { verdict: form.decision, reason: form.reason, via: 'page', link: link.jti });
    return pageResponse(200, decidedPage(approval, form.decision));
  });
}

/**
 * Where the sign-in sends the reviewer back to: a review page path, as a URL writes it (printable
 * ASCII, percent-encoded otherwise), since it becomes the Location header and a CR or LF there is
 * a header of its own.
 */
const returnPath = z.string().max(8192).startsWith(REVIEW_PATH).regex(/^[!-~]*$/);

const signInForm = z.object({
  subject: z.string().trim().min(1).max(200),
  groups: z.string().max(1000).default('').transform((g) => [...new Set(g.split(/[\s,]+/).filter(Boolean))]),
  issuer: z.string().min(1),
  return: returnPath,
});

/** The dev sign-in form; 404 unless PORTCULLIS_REVIEW_AUTH=dev (which config allows only in development). */
export async function showSignIn(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  return asPage(async () => {
    requireDevSignIn(ctx);
    const { policy } = await ctx.policies.current();
    const returnTo = returnPath.safeParse(req.query.get('return'));
    return pageResponse(200, signInPage(returnTo.success ? returnTo.data : REVIEW_PATH, policy.issuers));
  });
}

export async function signIn(ctx: ApprovalContext, req: HttpRequest): Promise<HttpResponseInit> {
  return asPage(async () => {
    requireDevSignIn(ctx);
    if (!sameOrigin(req.headers.get('origin'), ctx.config.publicUrl)) throw crossSite('This form can only be sent from the sign-in page itself.');
    const form = parseForm(signInForm, await readForm(req));
    const { policy } = await ctx.policies.current();
    if (!policy.issuers.some((i) => i.issuer === form.issuer)) throw unknownSignInIssuer();
    const person: Person = { subject: form.subject, issuer: form.issuer, groups: form.groups, aliases: [] };
    const secure = ctx.config.publicUrl.startsWith('https:') ? '; Secure' : '';
    return {
      status: 303,
      headers: {
        location: form.return,
        'set-cookie': `${SIGN_IN_COOKIE}=${signInCookie(ctx.keys.signIn, person, new Date())}; Path=${REVIEW_PATH.slice(0, -1)}; Max-Age=${SIGN_IN_TTL_SECONDS}; HttpOnly; SameSite=Strict${secure}`,
        'cache-control': 'no-store',
      },
    };
  });
}

/**
 * A page for a signed-in person (the console): the same sign-in as the review page, which sends
 * whoever is not signed in to it; refusals become HTML pages.
 */
export function signedInPage(ctx: ApprovalContext, req: HttpRequest, render: (person: Person) => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  return asPage(async () => {
    const person = signedIn(ctx, req);
    return person ? render(person) : signInRequired(ctx, req);
  });
}

function signedIn(ctx: ApprovalContext, req: HttpRequest): Person | undefined {
  if (ctx.config.reviewAuth === 'dev') return devReviewer(ctx.keys.signIn, req.headers.get('cookie'), ctx.now());
  // Without App Service Authentication nothing strips a client's own x-ms-client-principal.
  if (!ctx.config.appServiceAuthEnabled) {
    throw signInUnavailable();
  }
  // The tenants App Service Authentication admits (WEBSITE_AUTH_AAD_ALLOWED_TENANTS), checked again.
  if (ctx.config.reviewTenants.length === 0) {
    throw signInUnavailable('PORTCULLIS_REVIEW_AUTH=appservice, but WEBSITE_AUTH_AAD_ALLOWED_TENANTS names no Entra tenant, so no reviewer can be accepted.');
  }
  return appServiceReviewer({ principal: req.headers.get('x-ms-client-principal'), idp: req.headers.get('x-ms-client-principal-idp') }, ctx.config.reviewTenants);
}

function signInRequired(ctx: ApprovalContext, req: HttpRequest): HttpResponseInit {
  if (ctx.config.reviewAuth === 'appservice') {
    // App Service Authentication signs people in before they reach this page; without its
    // principal, it is not turned on for /api/review/*.
    throw notSignedIn('This page needs App Service Authentication, which did not identify you.');
  }
  const url = new URL(req.url);
  return { status: 303, headers: { location: `${REVIEW_PATH}sign-in?return=${encodeURIComponent(url.pathname + url.search)}`, 'cache-control': 'no-store' } };
}

function requireDevSignIn(ctx: ApprovalContext): void {
  if (ctx.config.reviewAuth !== 'dev' || ctx.config.env !== 'development') {
    throw noDevSignIn();
  }
}

async function readForm(req: HttpRequest): Promise<Record<string, string>> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers.get('content-type') ?? '')) {
    throw unsupportedForm();
  }
  const bytes = req.body ? await readAll(req.body as ReadableStream<Uint8Array>, MAX_FORM_BYTES) : new Uint8Array(0);
  return Object.fromEntries(new URLSearchParams(new TextDecoder().decode(bytes)));
}

function parseForm<T>(schema: z.ZodType<T>, fields: Record<string, string>): T {
  const parsed = schema.safeParse(fields);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw invalidForm(fields);
  }
  return parsed.data;
}

/** Refusals become HTML pages with their status; anything else is the function's 500. */
async function asPage(render: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await render();
  } catch (error) {
    if (error instanceof Refusal) return pageResponse(error.status, refusalPage(error), error.headers);
    throw error;
  }
}
