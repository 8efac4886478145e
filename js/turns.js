// SafeSDK's turns to register the device, across the tabs of one browser profile: a Web
// Lock, and the id handed to the next tab through IndexedDB. Only the Gatekeeper entries
// load this file (it installs itself into errors.js's `takeTurn`, see js/gatekeeper.js).

/**
 * @internal Called from Rust around SafeSDK's device registration, so that the tabs of
 * one browser profile register one device. Resolves, once this tab holds the Web Lock
 * `key` (the storage key), to `[release, id]`:
 * - `id`: the device id a tab registered while this one waited for the lock (tabs of a
 *   restored session starting at once), else `undefined`;
 * - `release(newId?)`: hands `newId` (a device id this tab registered) on to the tabs
 *   still waiting, then lets the lock go.
 * The id goes through IndexedDB, not localStorage: Chromium updates another tab's copy
 * of localStorage some time later, so the next tab to hold the lock may not see it yet,
 * while an IndexedDB write that has completed is seen by every later transaction. Each
 * write carries a fresh random `mark`; a tab reads the record before it asks for the lock
 * and again once it holds it, and uses the id only if the id or the mark changed meanwhile, so an
 * id the page has since cleared from localStorage is not brought back.
 * Resolves to `[() => {}]` (no lock: register at once) where the page has no Web Locks
 * (Node, an opaque origin), when `signal` ends the wait, or after `ms` of waiting (the
 * tab holding the lock is suspended, or slower than any registration can be); a lock
 * granted after that is let go at once. Never rejects, and never holds the lock
 * longer because IndexedDB fails or is slow (each step gives up after 2 s).
 */
export function takeTurn(key, signal, ms) {
  return new Promise((resolve) => {
    let timer;
    let stop = () => {};
    let given = false;
    // False when the turn was given already (the wait had ended).
    const give = (turn) => {
      if (given) return false;
      given = true;
      try {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
      } catch {
        // a page's replaced globals: the turn is given all the same
      }
      resolve(turn);
      return true;
    };
    const none = () => give([() => {}]);
    handover(key).then((before) => {
      try {
        const locks = navigator.locks;
        // `signal` (destroy()) or `ms` end the wait (no AbortSignal.any: older browsers),
        // also where `locks.request` ignores its signal (a polyfill, a test's mock).
        const wait = new AbortController();
        stop = () => {
          wait.abort();
          none();
        };
        timer = setTimeout(stop, ms);
        signal.addEventListener('abort', stop);
        if (signal.aborted) stop();
        locks
          .request(key, { signal: wait.signal }, () => new Promise((unlock) => {
            const go = (last) => {
              const release = (id) => {
                try {
                  (typeof id === 'string' ? handover(key, { id, mark: Math.random() }) : Promise.resolve()).then(unlock, unlock);
                } catch {
                  unlock();
                }
              };
              // A new id, or the same one handed over again: a page's mocked
              // `Math.random` may repeat the mark, never an id the server made anew.
              const changed = before !== undefined && last
                && (last.mark !== (before && before.mark) || last.id !== (before && before.id));
              // Granted after the wait ended (a lock that ignored the abort): let it go.
              if (!give([release, changed && typeof last.id === 'string' ? last.id : undefined])) unlock();
            };
            handover(key).then(go, () => go());
          }))
          .catch(none);
      } catch {
        none();
      }
    }, none);
  });
}

/**
 * One IndexedDB step on the store `handover` of the database `partner-sdk-handover`:
 * reads the record under `key`, or writes `value` there. Resolves once the transaction
 * has completed, to the record read (`null` if none); to `undefined` on any failure or
 * after 2 s. Never rejects.
 */
function handover(key, value) {
  return new Promise((done) => {
    let timer;
    const end = (result) => {
      clearTimeout(timer);
      done(result);
    };
    try {
      timer = setTimeout(end, 2000);
      const open = indexedDB.open('partner-sdk-handover', 1);
      open.onupgradeneeded = () => {
        try {
          open.result.createObjectStore('handover');
        } catch {
          // the open then fails: `onerror`
        }
      };
      open.onerror = () => end();
      open.onsuccess = () => {
        const db = open.result;
        try {
          const tx = db.transaction('handover', value ? 'readwrite' : 'readonly');
          const store = tx.objectStore('handover');
          const request = value ? store.put(value, key) : store.get(key);
          tx.oncomplete = () => {
            db.close();
            end(request.result ?? null);
          };
          tx.onabort = () => {
            db.close();
            end();
          };
        } catch {
          db.close();
          end();
        }
      };
    } catch {
      end();
    }
  });
}
