// The `requested` step: one Teams card per approval. The card is posted, then marked posted; a
// redelivery after that finds the mark and posts nothing. (Only a crash between the two would post
// it twice — better than reviewers never seeing it.) Without a webhook configured, no card is
// posted and reviewers use the API or a review link handed to them.
import { approvalCard, teamsMessage } from './card.js';
import type { ApprovalContext } from './context.js';
import { describeCredentialUse } from './credential-use.js';
import { describeIdentity } from './people.js';
import { signLink } from './link-token.js';
import { markCardPosted, type Approval, type Verdict } from './state.js';
import { postToTeams } from './teams.js';

/** Characters of masked body shown on the card; the review page shows more. */
const CARD_BODY_CHARS = 600;

const warned = new WeakSet<ApprovalContext['log']>();

export async function postCard(ctx: ApprovalContext, approval: Approval): Promise<string> {
  if (approval.status !== 'pending') return `no card (${approval.status})`;
  if (approval.cardPostedAt) return 'card already posted';
  const webhook = ctx.config.teamsWebhookUrl;
  if (!webhook) {
    if (!warned.has(ctx.log)) ctx.log.warn('PORTCULLIS_TEAMS_WEBHOOK_URL is not set: no approval cards are posted; reviewers use the approval API');
    warned.add(ctx.log);
    return 'no webhook';
  }
  const view = await ctx.held.getView(approval.id);
  const body = view?.body ? (view.body.length > CARD_BODY_CHARS ? `${view.body.slice(0, CARD_BODY_CHARS)}…` : view.body) : undefined;
  const card = approvalCard({
    requester: describeIdentity(approval.base.principal),
    connection: approval.base.connection,
    operation: view?.summary ?? approval.base.operation.kind,
    rule: approval.rule,
    message: approval.message,
    expiresAt: approval.expiresAt,
    required: approval.review.minApprovals,
    groups: approval.review.groups,
    credential: approval.credential && describeCredentialUse(approval.credential),
    body,
    approveUrl: await reviewLink(ctx, approval, 'approve'),
    denyUrl: await reviewLink(ctx, approval, 'deny'),
  });
  await postToTeams(webhook, teamsMessage(card));
  await ctx.store.update(approval.id, (a) => markCardPosted(a, ctx.now()));
  return 'card posted';
}

export async function reviewLink(ctx: ApprovalContext, approval: Approval, action: Verdict): Promise<string> {
  const { token } = await signLink(ctx.keys.link, { approvalId: approval.id, action, expiresAt: new Date(approval.expiresAt) });
  return `${ctx.urls.review(approval.id)}?t=${token}`;
}
