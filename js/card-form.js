// The card form on the partner's page: a dialog (or the partner's container) holding
// the vendor's frame, and the one MessageChannel to it. The token and the refresh
// decisions stay in the wasm session; this file draws, listens and carries messages,
// and numbers the tokens it carries so that the frame's 401 for a token already
// replaced asks the session for the current one rather than a refresh (rule 1).
// Protocol: docs/enrollment.md.
import { ConfigurationError, NetworkError, notify as callPage } from './errors.js';

const HELLO = 'partner-sdk:enrollment:hello';
const CONNECT = 'partner-sdk:enrollment:connect';
const HANDSHAKE_MS = 10000;
// How long the frame waits for the answer to one card POST (it says so in connect).
const POST_TIMEOUT_MS = 30000;
// setTimeout's largest delay.
const MAX_DELAY_MS = 2147483647;
// The modal forms open on this page, the last opened on top: an Escape with the focus
// on nothing closes only the top one.
const modals = [];

/** Calls a page callback; what it throws or rejects with stays with the page. */
function notify(callback, arg) {
  if (typeof callback === 'function') callPage(callback, arg);
}

function isElement(value) {
  try {
    Element.prototype.hasAttribute.call(value, 'id');
    return true;
  } catch {
    return false;
  }
}

// The page's document, read through its interfaces' prototypes: markup the page shows
// (a posted review) cannot shadow these with a named element, as `<img name="body">`
// or `<form name="createElement">` shadow `document.body` and `document.createElement`.
const getter = (key) => Object.getOwnPropertyDescriptor(Document.prototype, key).get.call(document);
const pageBody = () => getter('body');
// The element with the focus, also inside a shadow root (a web component's button), where
// `document.activeElement` stops at the host; a closed shadow root keeps its host's.
// (Looked up when called: the module also loads where there is no DOM, in Node.)
const focused = () => {
  const shadowOf = Object.getOwnPropertyDescriptor(Element.prototype, 'shadowRoot').get;
  const activeIn = typeof ShadowRoot === 'function'
    ? Object.getOwnPropertyDescriptor(ShadowRoot.prototype, 'activeElement')?.get : undefined;
  let focus = getter('activeElement');
  for (;;) {
    const shadow = focus && activeIn ? shadowOf.call(focus) : null;
    const inner = shadow ? activeIn.call(shadow) : null;
    if (!inner) return focus;
    focus = inner;
  }
};
// A node's own members, read the same way (a `<form>`'s controls named `append` or
// `ownerDocument` shadow them on the form element).
const nodeGetter = (key, node) => Object.getOwnPropertyDescriptor(Node.prototype, key).get.call(node);
const appendTo = (parent, child) => Element.prototype.append.call(parent, child);
const onDocument = (add, type, listener) => (add ? EventTarget.prototype.addEventListener
  : EventTarget.prototype.removeEventListener).call(document, type, listener, true);

function element(tag, css, attributes = {}) {
  const el = Document.prototype.createElement.call(document, tag);
  el.style.cssText = css;
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  return el;
}

/**
 * Shows the form for a session whose options `EnrollmentSession.open` validated.
 * @returns {{ close(): void }}
 */
export function openCardForm(session, options) {
  const { container, companyName, onSuccess, onError, onCancel } = options;
  const refuse = (problem) => {
    session.close();
    throw new ConfigurationError(`invalid option \`container\`: ${problem}`, { key: 'container' });
  };
  if (typeof document === 'undefined' || !pageBody()) refuse('the card form needs a page with a document body');
  // A genuine element, not an object with nodeType 1, of this page's document (the
  // frame says hello to the window that holds it). It may be attached after openForm:
  // the frame loads then (one never attached closes at the handshake deadline).
  if (container !== undefined) {
    if (!isElement(container)) refuse('must be a DOM Element');
    if (nodeGetter('ownerDocument', container) !== document) refuse("must be an element of this page's document, not another frame's");
  }
  const vendor = session.vendorOrigin;
  const opener = focused();
  let closed = false;
  let port = null;
  let refreshTimer;
  // Each different token sent to the frame gets the next number (`seq`); the same token
  // sent again keeps its own, so a 401 for it is never taken for an older token's.
  // Tokens are told apart by their signature's last characters: no whole token is kept.
  let sent = 0;
  let lastSent;
  // The frame's submit is under way (`busy`): a cancel waits for it (`cancelTimer`).
  let submitting = false;
  let cancelTimer;
  let tokenWaitMs = 0;

  const label = `Add a card for ${companyName}`;
  const frame = element('iframe', 'border:0;display:block;width:100%;height:380px;', { title: label });
  frame.src = session.frameUrl(location.origin);

  // A frame that never connects cannot say so itself: the page says it here.
  const live = element('p', 'margin:0 16px;font:14px/1.4 system-ui,sans-serif;color:#b91c1c;', { role: 'alert' });

  // The default: a modal dialog whose focus loop runs close button → frame → back. A
  // `<dialog>` shown with showModal() sits in the top layer: over the page, also over a
  // modal dialog of the page's own that opened the form (which would leave a fixed
  // element under its backdrop, inert).
  let root = frame;
  let closeButton = null;
  if (!container) {
    root = element('dialog', 'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;'
      + 'justify-content:center;box-sizing:border-box;width:100%;height:100%;max-width:none;max-height:none;'
      + 'margin:0;border:0;padding:16px;background:rgba(15,23,42,.55);',
    { role: 'dialog', 'aria-modal': 'true', 'aria-label': label });
    const dialog = element('div', 'position:relative;width:100%;max-width:440px;max-height:100%;overflow:auto;'
      + 'background:#fff;border-radius:10px;box-shadow:0 12px 40px rgba(0,0,0,.3);padding:8px 0 0;');
    closeButton = element('button', 'position:absolute;top:6px;right:8px;z-index:1;border:0;background:none;'
      + 'font:24px/1 system-ui,sans-serif;cursor:pointer;padding:6px 10px;', { type: 'button', 'aria-label': 'Close' });
    closeButton.textContent = '×';
    closeButton.addEventListener('click', cancel);
    const loop = (enter) => {
      const edge = element('span', 'position:absolute;width:1px;height:1px;overflow:hidden;', { tabindex: '0' });
      edge.addEventListener('focus', enter);
      return edge;
    };
    // Shift+Tab from the close button comes back into the form at its last control:
    // the page can only focus the frame, and the frame (asked over the channel) moves
    // on to that control, so there is no stop on the frame's own document.
    const fromEnd = () => {
      frame.focus();
      post({ type: 'focus-last' });
    };
    dialog.append(loop(fromEnd), closeButton, frame, live, loop(() => closeButton.focus()));
    root.append(dialog);
    // A click on the backdrop leaves the focus in the dialog (not on the page behind).
    root.addEventListener('mousedown', (event) => {
      if (event.target === root) event.preventDefault();
    });
    // The browser's own close request for the dialog (Escape where onKeyDown did not
    // take it, a back gesture) is the shopper's cancel; while a submit ends, the
    // dialog stays shown.
    root.addEventListener('cancel', (event) => {
      event.preventDefault();
      cancel();
    });
    root.addEventListener('close', () => {
      cancel();
      if (!closed && !root.open) showModal();
    });
  }

  function showModal() {
    try {
      root.showModal();
    } catch {
      // No top layer (an old browser, or the dialog is not in a document): the fixed
      // element above is shown as it is.
    }
  }

  // Escape cancels while the form has the focus, and for the modal dialog on top also
  // while nothing has it (a click on the backdrop); never while a page element has it
  // (the page's own dialog opened over the form, say).
  function onKeyDown(event) {
    const focus = focused();
    const unfocused = !focus || focus === pageBody();
    if (event.key === 'Escape' && (root.contains(focus) || (unfocused && onTop()))) {
      event.preventDefault();
      cancel();
    }
  }

  // Whether this modal form is the one the shopper sees: the last one opened, and not
  // under a dialog of the page's own opened after it.
  function onTop() {
    if (modals.filter((m) => m.isConnected).pop() !== root) return false;
    const box = frame.getBoundingClientRect();
    const hit = Document.prototype.elementFromPoint.call(document, box.left + box.width / 2, box.top + box.height / 2);
    return !hit || root.contains(hit);
  }

  // Step 1 of the handshake: listen before the frame exists. Only the frame's own
  // window, at the vendor's origin, can open the channel; an event a page script
  // dispatched (`isTrusted` false) names any origin and source it likes. The frame's
  // document says hello again when it reloads (the shopper's "Reload frame", or the page
  // moving the form in the DOM): it gets a new channel, the old one is closed.
  function onWindowMessage(event) {
    const data = event.data;
    if (!event.isTrusted || closed) return;
    if (event.origin !== vendor || event.source !== frame.contentWindow) return;
    if (!data || typeof data !== 'object' || data.type !== HELLO || data.v !== 1) return;
    if (port) reconnect();
    if (closed) return; // (a cancel that waited for the old document's submit)
    const channel = new MessageChannel();
    port = channel.port1;
    port.onmessage = onPortMessage;
    // The page answers a need-token within two refreshes (the launch's, then its own):
    // the frame waits that long, and a little more, before it gives up by itself.
    tokenWaitMs = Math.min(2 * session.refreshTimeoutMs + 5000, MAX_DELAY_MS);
    // `nonce`: the hello's own, echoed, so that a late answer to an earlier document's
    // hello is not taken by the document now in the frame.
    const nonce = typeof data.nonce === 'string' ? data.nonce.slice(0, 64) : undefined;
    frame.contentWindow.postMessage({ type: CONNECT, v: 1, nonce, tokenWaitMs, postTimeoutMs: POST_TIMEOUT_MS }, vendor, [channel.port2]);
  }

  // A new document in the frame: the old one's channel and submit are gone with it. A
  // submit under way is reported (whether the card went in is not known), and a cancel
  // that waited for it happens now; otherwise the new document has until the handshake
  // deadline to answer.
  function reconnect() {
    port.onmessage = null;
    port.close();
    port = null;
    if (submitting) {
      submitting = false;
      fail(new NetworkError('the form reloaded while the card was being saved: whether it was stored is not known'));
      if (closed) return; // (the page closed it from onError)
    }
    if (cancelTimer !== undefined) {
      cancel();
      return;
    }
    clearTimeout(handshakeTimer);
    handshakeTimer = setTimeout(handshakeFailed, HANDSHAKE_MS);
  }

  function post(message) {
    if (port && !closed) port.postMessage(message);
  }

  function fail(error) {
    if (!closed) notify(onError, error);
  }

  // The token request under way (`refused`: for a 401), which later asks join: the
  // frame gets its answer once per ask, and onError a failed refresh once. A 401's ask
  // does not join a proactive request (which may hand back the token just refused): it
  // starts its own and becomes that one's `next`, whose answer the proactive one's asks
  // get too, and whose failure alone is reported.
  let asking = null;

  // Sends the session's token to the frame once it resolves, and arms the timer for
  // the next proactive refresh (rules 6 and 8); a failed refresh is reported, once.
  // A proactive refresh that fails while the token still works hands back that token
  // (rule 6): nothing to report until a 401 or its expiry asks again.
  function deliver(refused) {
    if (!asking || (refused && !asking.refused)) {
      const mine = { request: session.token(refused), refused, next: null };
      if (asking) asking.next = mine;
      asking = mine;
      const done = () => {
        if (asking === mine) asking = null;
      };
      mine.request.then(done, (error) => {
        done();
        if (!mine.next) fail(error);
      });
    }
    answer(asking);
  }

  function answer(entry) {
    entry.request.then((token) => {
      if (entry.next) return answer(entry.next);
      if (closed) return;
      const mark = token.slice(-16);
      if (mark !== lastSent) sent += 1;
      lastSent = mark;
      post({ type: 'token', token, seq: sent });
      clearTimeout(refreshTimer);
      const due = session.dueInMs();
      // A form the page removed without close() (its container unmounted) ends here,
      // rather than asking for a token every token lifetime.
      // (It leaves the focus alone: the shopper is elsewhere by then.)
      if (due !== null) refreshTimer = setTimeout(() => (frame.isConnected ? deliver(false) : close(false)), due);
      return undefined;
    }, (error) => {
      if (entry.next) return answer(entry.next);
      post({ type: 'token-error', code: error.code, message: error.message });
      return undefined;
    });
  }

  function onPortMessage({ data }) {
    if (closed || !data || typeof data !== 'object') return;
    switch (data.type) {
      case 'ready':
        // The handshake is over once the frame answers on the channel (not at its
        // hello: a frame that reloads before the connect never answers).
        clearTimeout(handshakeTimer);
        // A frame that connects after all speaks for itself.
        live.textContent = '';
        live.style.margin = '0 16px';
        // The launch token (asked for below) goes over once it is there.
        launch.then(() => deliver(false), () => {});
        break;
      case 'need-token': {
        // Rule 1: a 401 for a token older than the one last sent (its message was still
        // on its way) is answered with the current token, not another refresh. The
        // frame's `seq` only ever lowers the count: a refresh needs no number.
        const refused = data.reason === 'unauthorized' && !(Number.isInteger(data.seq) && data.seq < sent);
        const ask = () => deliver(refused);
        // While the launch token is on its way, asking again would join its refresh and
        // report its failure to onError a second time: wait for it instead.
        if (launching) launch.then(ask, (error) => post({ type: 'token-error', code: error.code, message: error.message }));
        else ask();
        break;
      }
      case 'resize':
        if (Number.isFinite(data.height)) frame.style.height = `${Math.min(Math.max(data.height, 120), 1200)}px`;
        break;
      case 'success': {
        const c = data.card && typeof data.card === 'object' ? data.card : {};
        const card = {
          cardId: String(c.cardId), last4: String(c.last4), brand: String(c.brand),
          expMonth: Number(c.expMonth), expYear: Number(c.expYear),
        };
        close();
        notify(onSuccess, card);
        break;
      }
      case 'error':
        fail(session.frameError(data));
        break;
      case 'cancel':
        cancel();
        break;
      case 'busy':
        submitting = data.busy === true;
        // A cancel asked for during the submit happens now, unless the card went in.
        if (!submitting && cancelTimer !== undefined) cancel();
        break;
      default:
    }
  }

  function close(refocus = true) {
    if (closed) return;
    closed = true;
    lastSent = undefined;
    clearTimeout(refreshTimer);
    clearTimeout(handshakeTimer);
    clearTimeout(cancelTimer);
    window.removeEventListener('message', onWindowMessage);
    onDocument(false, 'keydown', onKeyDown);
    if (modals.includes(root)) modals.splice(modals.indexOf(root), 1);
    if (port) {
      port.onmessage = null;
      port.close();
    }
    // The focus goes back to the opener if it was in the form (or nowhere): a
    // `close()` of an inline form while the shopper works elsewhere leaves it there.
    const focus = focused();
    const hadFocus = refocus && (root.contains(focus) || !focus || focus === pageBody());
    root.remove();
    live.remove();
    session.close();
    if (hadFocus && opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  }

  // The shopper's cancel (the Close button, Escape, the frame's Cancel). While the frame
  // is sending the card, closing would hide whether it was stored: the form says it is
  // finishing, and closes when the submit ends (onSuccess if the card went in). It waits
  // as long as a submit can take (two token waits and two POSTs); a frame that has not
  // finished by then leaves the outcome unknown, and onError says so before onCancel.
  function cancel() {
    if (closed) return;
    if (submitting && cancelTimer === undefined) {
      live.style.margin = '8px 16px';
      live.textContent = 'Saving your card… The form closes when it is done.';
      const waitMs = Math.min(2 * (tokenWaitMs + POST_TIMEOUT_MS) + 5000, MAX_DELAY_MS);
      cancelTimer = setTimeout(() => {
        submitting = false;
        fail(new NetworkError('the form was closed while the card was being saved: whether it was stored is not known'));
        cancel();
      }, waitMs);
      return;
    }
    if (submitting) return;
    close();
    notify(onCancel);
  }

  function handshakeFailed() {
    // The page removed the form before it connected (a route change): it ends quietly.
    if (!frame.isConnected) return close(false);
    live.style.margin = '8px 16px';
    live.textContent = 'The card form could not be loaded. Please try again later.';
    fail(new NetworkError('the card form did not connect within 10 s: the frame could not load '
      + '(offline, not allowed by frame-src, or the vendor refused its companyName or subaccountId)'));
  }

  // The timer first: a page whose setTimeout throws gets its error from openForm with
  // nothing left behind (no listener, no session holding the token).
  let handshakeTimer;
  try {
    handshakeTimer = setTimeout(handshakeFailed, HANDSHAKE_MS);
  } catch (error) {
    session.close();
    throw error;
  }
  window.addEventListener('message', onWindowMessage);
  onDocument(true, 'keydown', onKeyDown);
  // The SDK calls getAccessToken when it launches (a failure reaches onError).
  let launching = true;
  // (Settles as the launch token's request does, without holding the token: the page
  // may keep the handle, and with it this scope, long after the form closed.)
  const launch = session.token(false).then(() => {});
  launch.then(() => { launching = false; }, (error) => { launching = false; fail(error); });
  try {
    appendTo(container || pageBody(), root);
    if (!container) {
      modals.push(root);
      showModal();
    }
    if (container) appendTo(container, live);
    (closeButton || frame).focus();
  } catch (error) {
    // (a container that takes no children, a page's patched focus: nothing stays)
    close(false);
    throw error;
  }
  return Object.freeze({ close: () => close() });
}
