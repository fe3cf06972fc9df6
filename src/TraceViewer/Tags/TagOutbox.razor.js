// The browser's outbox of tagging key presses, kept in localStorage so that a press typed in a tab that closes (or a
// browser that quits) before it was saved is sent by the next page of the same annotator.
//
// Every press is one entry of its own (no read-modify-write of a shared list, so two tabs never overwrite each other),
// keyed by the app's base path, the annotator who typed it and its change id. An entry belongs to the page that queued
// it; a page beats a heartbeat while it lives and removes it when it goes. Entries whose page has no fresh heartbeat
// are orphans: any page of the same annotator sends them, in the order they were typed. A press sent twice is applied
// once (its id is the change id), so a race between two pages over an orphan costs nothing. Presses of another
// annotator are never read here, and the server saves a press only as the annotator named in it.

const stale = 15000;
const beatEvery = 4000;

function scope() {
  return new URL(document.baseURI).pathname;
}

function prefix(owner) {
  return `tv-outbox:${scope()}:${encodeURIComponent(owner)}:`;
}

function beatKey(holder) {
  return `tv-outbox-page:${scope()}:${holder}`;
}

function read(key) {
  try {
    return JSON.parse(localStorage.getItem(key));
  } catch {
    return null;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    // Storage full or off: the press still lives in the page that holds it.
    return false;
  }
}

let sequence = 0;

export function newHolder() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Keeps a press typed by owner, held by the page holder. */
export function put(owner, holder, item) {
  write(prefix(owner) + item.id, { item, holder, at: Date.now(), seq: sequence++, state: 'waiting', message: null });
}

export function remove(owner, id) {
  try {
    localStorage.removeItem(prefix(owner) + id);
  } catch {
    // Nothing to remove.
  }
}

/** Marks a press as refused (it never will be saved): kept, with the reason, until the annotator discards it. */
export function refuse(owner, id, message) {
  const entry = read(prefix(owner) + id);
  if (entry) {
    write(prefix(owner) + id, { ...entry, state: 'refused', message });
  }
}

/** Every entry of owner, oldest first. */
export function entries(owner) {
  const start = prefix(owner);
  const found = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (key?.startsWith(start)) {
      const entry = read(key);
      if (entry?.item?.id) {
        found.push(entry);
      }
    }
  }
  return found.sort((a, b) => a.at - b.at || a.seq - b.seq);
}

function alive(holder) {
  const at = Number(localStorage.getItem(beatKey(holder)));
  return Number.isFinite(at) && at > 0 && Date.now() - at < stale;
}

/** Waiting presses of owner whose page is gone (or silent for long): they are now held by holder. */
export function adopt(owner, holder) {
  const orphans = entries(owner).filter(e => e.state === 'waiting' && e.holder !== holder && !alive(e.holder));
  for (const entry of orphans) {
    write(prefix(owner) + entry.item.id, { ...entry, holder });
  }
  return orphans;
}

/** Starts the heartbeat of a page; the returned function stops it and leaves the page's presses to the next page. */
export function beat(holder) {
  const mark = () => {
    try {
      localStorage.setItem(beatKey(holder), String(Date.now()));
    } catch {
      // Without storage nothing is kept for another page anyway.
    }
  };
  mark();
  const timer = setInterval(mark, beatEvery);
  const gone = () => {
    clearInterval(timer);
    try {
      localStorage.removeItem(beatKey(holder));
    } catch {
      // Nothing to remove.
    }
    window.dispatchEvent(new CustomEvent('tv-outbox-orphaned'));
  };
  window.addEventListener('pagehide', gone, { once: true });
  return () => {
    window.removeEventListener('pagehide', gone);
    gone();
  };
}

// ---- the sender of orphaned presses, on every page of the app ----

let sender = null;

/** Sends the orphaned presses of owner through dotnet.Send; reports what became of them through dotnet.Report. */
export function start(owner, dotnet) {
  stop();
  const holder = newHolder();
  const controller = new AbortController();
  sender = { owner, dotnet, holder, controller, busy: false, attempts: 0, timer: null, stopBeat: beat(holder) };
  window.addEventListener('tv-outbox-orphaned', () => setTimeout(send, 0), { signal: controller.signal });
  window.addEventListener('storage', event => event.key?.startsWith('tv-outbox-page:') && event.newValue === null && send(), { signal: controller.signal });
  sender.poll = setInterval(send, beatEvery);
  send();
  report();
}

export function stop() {
  if (!sender) {
    return;
  }
  sender.controller.abort();
  clearInterval(sender.poll);
  clearTimeout(sender.timer);
  sender.stopBeat();
  sender = null;
}

/** Drops a refused press the annotator chose to discard. */
export function discard(id) {
  if (sender) {
    remove(sender.owner, id);
    report();
  }
}

function report(saved = 0) {
  if (!sender) {
    return;
  }
  const refused = entries(sender.owner).filter(e => e.state === 'refused')
    .map(e => ({ id: e.item.id, traceId: e.item.traceId, kind: e.item.kind, from: e.item.from, to: e.item.to, message: e.message ?? 'not saved' }));
  sender.dotnet.invokeMethodAsync('Report', saved, refused).catch(() => {});
}

async function send() {
  if (!sender || sender.busy) {
    return;
  }
  const me = sender;
  const mine = entries(me.owner).filter(e => e.state === 'waiting' && e.holder === me.holder);
  const queue = [...mine, ...adopt(me.owner, me.holder)];
  if (queue.length === 0) {
    return;
  }
  me.busy = true;
  let saved = 0;
  let refused = 0;
  try {
    for (const entry of queue) {
      let result;
      try {
        result = await me.dotnet.invokeMethodAsync('Send', { owner: me.owner, ...entry.item });
      } catch {
        result = { outcome: 'failed', message: 'no connection' };
      }
      if (sender !== me) {
        return;
      }
      if (!result || result.outcome === 'failed') {
        me.attempts++;
        clearTimeout(me.timer);
        me.timer = setTimeout(send, Math.min(4000, 200 * 2 ** me.attempts));
        break;
      }
      me.attempts = 0;
      if (result.outcome === 'saved') {
        remove(me.owner, entry.item.id);
        saved++;
      } else {
        refuse(me.owner, entry.item.id, result.message);
        refused++;
      }
    }
  } finally {
    me.busy = false;
  }
  if (saved > 0 || refused > 0) {
    report(saved);
  }
}
