// Type-level test for a project without the DOM types: a Web Worker's (`lib` es2022 +
// webworker) that uses the checkout entry. Checked by `tsc --noEmit --strict --lib
// es2022,webworker` in scripts/test.sh (never run): the entry's types must not need `dom`.
import { AlternativeClient, ApiError, init } from 'partner-sdk/checkout';

declare const jwt: string;

export async function pay(): Promise<string> {
  await init(new URL('/assets/checkout_bg.wasm', self.location.href));
  const client = await AlternativeClient.create({ accessToken: jwt, baseUrl: 'https://api.example.com' });
  try {
    const order = await client.post<{ id: string }>('/v1/orders', { amount: 100 }, { idempotencyKey: true });
    return order.id;
  } catch (e) {
    if (e instanceof ApiError) return `failed with ${e.status}`;
    throw e;
  } finally {
    client.destroy();
  }
}
