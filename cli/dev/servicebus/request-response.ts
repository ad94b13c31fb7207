// The request/response pattern of $cbs and $management: a request arrives on the client's sender
// link, and the reply goes back on the client's receiver link named by the request's reply-to,
// correlated by the request's message-id.
import type { Message, Receiver, Sender } from 'rhea';

export interface Reply {
  application_properties: Record<string, unknown>;
  body?: unknown;
}

export function serveRequests(receiver: Receiver, handle: (request: Message) => Reply): void {
  receiver.on('message', (context) => {
    const request = context.message!;
    context.delivery!.accept();
    const replyTo: unknown = request.reply_to;
    const link = receiver.connection.find_sender((s: Sender) => s.target?.address === replyTo || s.name === replyTo);
    // Without a reply link the client's request times out, as it would against Azure.
    link?.send({ ...handle(request), to: replyTo, correlation_id: request.message_id } as Message);
  });
}
