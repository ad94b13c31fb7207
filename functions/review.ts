// The reviewer's page opened from a Teams card link, and the dev sign-in (local development only).
import { showReview, showSignIn, signIn, submitReview } from '../shared/approvals/index.js';
import { runtime } from '../shared/app/runtime.js';
import { defineHttp } from '../shared/platform/triggers.js';

export const review = defineHttp({
  name: 'review',
  route: 'review/{id}',
  methods: ['GET', 'POST'],
  handler: (req) => (req.method === 'POST' ? submitReview(runtime(), req) : showReview(runtime(), req)),
});

export const reviewSignIn = defineHttp({
  name: 'review-sign-in',
  route: 'review/sign-in',
  methods: ['GET', 'POST'],
  handler: (req) => (req.method === 'POST' ? signIn(runtime(), req) : showSignIn(runtime(), req)),
});
