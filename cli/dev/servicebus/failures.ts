// Failures a client must see, each with the AMQP error condition (and management status code)
// Azure uses, so the SDK raises its own typed error: MessageLockLost, MessageNotFound, …
export class AmqpFailure extends Error {
  constructor(
    readonly condition: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function lockLost(token: string): AmqpFailure {
  return new AmqpFailure(
    'com.microsoft:message-lock-lost',
    `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue (lock token ${token}).`,
    410,
  );
}

export function messageNotFound(what: string): AmqpFailure {
  return new AmqpFailure('com.microsoft:message-not-found', what, 404);
}

export function notSupported(what: string): AmqpFailure {
  return new AmqpFailure('amqp:not-implemented', `${what} is not supported by the Service Bus double.`, 501);
}

export function notAllowed(what: string): AmqpFailure {
  return new AmqpFailure('amqp:not-allowed', what, 400);
}
