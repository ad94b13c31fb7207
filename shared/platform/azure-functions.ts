// @azure/functions ships a CommonJS bundle whose named exports Node's ESM loader cannot all
// detect, so runtime values come from its default export, here, once.
import azureFunctions from '@azure/functions';

export const { app, HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
