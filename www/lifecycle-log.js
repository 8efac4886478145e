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

  window.DemoLog = { logEvent };
})();
