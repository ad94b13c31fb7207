// The reviewer's page opened from a Teams card link, and the dev sign-in (local development only).
import { defineHttp, entries, ROUTES } from '../shared/app/index.js';

export const review = defineHttp({ name: 'review', route: ROUTES.review, methods: ['GET', 'POST'], handler: entries.review });

export const reviewSignIn = defineHttp({ name: 'review-sign-in', route: ROUTES.reviewSignIn, methods: ['GET', 'POST'], handler: entries.reviewSignIn });
