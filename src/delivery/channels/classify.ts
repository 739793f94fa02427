import { DeliveryErrorCode, type DeliveryResult } from '../types.js';

/** An HTTP provider's answer as a result: 2xx delivered; 408, 429 and 5xx retryable failures; other 4xx rejected. */
export function httpResult(status: number, providerId?: string): DeliveryResult {
  const providerResponse = `http ${status}${providerId ? ` id=${providerId}` : ''}`;
  if (status >= 200 && status < 300) return { outcome: 'delivered', providerResponse, retryable: false };
  if (status === 408 || status === 429 || status >= 500) return { outcome: 'failed', providerResponse, retryable: true, errorCode: DeliveryErrorCode.ProviderUnavailable };
  return { outcome: 'rejected', providerResponse, retryable: false, errorCode: DeliveryErrorCode.ProviderRejected };
}

/** A network error or timeout: retryable; only its code is kept. */
export function networkFailure(err: unknown): DeliveryResult {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  const timeout = e.name === 'TimeoutError' || e.name === 'AbortError' || e.code === 'ETIMEDOUT' || e.cause?.code === 'UND_ERR_HEADERS_TIMEOUT';
  const code = e.cause?.code ?? e.code ?? e.name ?? 'error';
  return { outcome: 'failed', providerResponse: `network ${String(code).slice(0, 40)}`, retryable: true, errorCode: timeout ? DeliveryErrorCode.Timeout : DeliveryErrorCode.ProviderUnavailable };
}

/** A provider message id worth keeping: a short token, never free text. */
export function providerId(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(value) ? value : undefined;
}
