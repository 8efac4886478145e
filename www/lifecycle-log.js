// The token-lifecycle panel shared by the demo pages: `DemoLog.logEvent(kind, text)` adds
// one timestamped line to the list with id "events".
(function () {
  'use strict';

  /** Adds one line to the token-lifecycle panel. */
  function logEvent(kind, text) {
    const item = document.createElement('li');
    item.dataset.event = kind;
    const time = document.createElement('time');
    time.textContent = new Date().toLocaleTimeString();
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = kind;
    const detail = document.createElement('span');
    detail.textContent = text;
    item.append(time, tag, detail);
    const list = document.getElementById('events');
    list.append(item);
    list.scrollTop = list.scrollHeight;
  }

  /**
   * The page's code did not load (the SDK's script or module was blocked, offline or not
   * served): it cannot say so itself, so this does, in the page's "unavailable" box, and
   * Try again reloads the page.
   * @param {string} what the file that did not load
   */
  function notLoaded(what) {
    for (const id of ['invoice-id', 'device-id', 'company']) {
      const field = document.getElementById(id);
      if (field) field.textContent = 'unavailable';
    }
    document.getElementById('load-error').textContent = `This demo could not load ${what} (blocked, offline, or not served), so it cannot run. Try again reloads the page.`;
    document.getElementById('unavailable').hidden = false;
    document.getElementById('retry').addEventListener('click', () => location.reload());
    document.body.dataset.ready = 'false';
  }

  // A module script whose graph failed to load (its own file or the SDK module it
  // imports) never runs; the browser fires `error` at its element instead. This classic
  // script comes first in the page, so it listens before that can happen.
  for (const script of document.querySelectorAll('script[type="module"][src]')) {
    script.addEventListener('error', () => notLoaded(`${script.getAttribute('src')} or the SDK module it imports`), { once: true });
  }

  window.DemoLog = { logEvent, notLoaded };
})();
