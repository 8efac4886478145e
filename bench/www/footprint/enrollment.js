// ESM card-enrollment page: CardEnrollment from /pkg/enrollment.js, openForm() and one
// enrolled test card. The bench's sandbox runs in single-origin mode, so this page may
// fill the (same-origin) frame itself; in production the frame is on the vendor's origin.
import { CardEnrollment } from '/pkg/enrollment.js';

window.footprintPage.run(async () => {
  const card = await new Promise((resolve, reject) => {
    CardEnrollment.openForm({
      companyName: 'Bench Shop',
      subaccountId: 'sub_demo',
      baseUrl: location.origin,
      getAccessToken: () => window.footprintPage.mint('enrollment'),
      onSuccess: resolve,
      onError: reject,
    }).then(() => {
      const frame = document.querySelector('iframe');
      const fill = () => {
        const doc = frame.contentDocument;
        const submit = doc && doc.getElementById('submit');
        if (!submit || submit.disabled) {
          setTimeout(fill, 20);
          return;
        }
        for (const [id, value] of [['number', '4242 4242 4242 4242'], ['expiry', '12/34'], ['cvc', '123']]) {
          doc.getElementById(id).value = value;
        }
        submit.click();
      };
      fill();
    }, reject);
  });
  if (!card || card.last4 !== '4242') throw new Error(`unexpected card ${JSON.stringify(card)}`);
  return { result: card.cardId };
});
