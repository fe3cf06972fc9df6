// The trace page's browser work that Blazor has no API for: keys in the sentence list, scrolling a sentence into view,
// hovering between sentences and curve points (Plotly.Fx), the clipboard, and typesetting LaTeX with KaTeX.
// Everything here reads or decorates the page; selecting a sentence is always an address change made by the page.
// In the tagging workbench the keys 1-9, n and u become key presses that are queued here, in order, kept in the
// browser's outbox (localStorage, see Tags/TagOutbox.razor.js), and sent one at a time until the server says each is
// committed (or refused); a lost connection or a failed save is retried with backoff, and the browser-chosen id of each
// makes a resend apply once. Presses this page could not send before it went are sent by the next page of the annotator.

import * as outbox from '../Tags/TagOutbox.razor.js';

let page = null;

export function attach(root, dotnet) {
  detach();
  const list = root.querySelector('#sentences');
  const controller = new AbortController();
  const { signal } = controller;
  page = { root, list, dotnet, controller, requested: null, requestedAt: 0, keepScrollUntil: 0, hovered: null, chart: null, observer: null };

  document.addEventListener('keydown', onKey, { signal });
  root.addEventListener('keydown', onNoteKey, { signal });
  root.addEventListener('click', (event) => {
    if (event.target.closest?.('[data-tag-note-save]')) {
      event.preventDefault();
      saveNote();
    }
  }, { signal });
  // Back in this tab: read the tags again (another tab or instance may have changed them).
  window.addEventListener('focus', () => tagging() !== null && page?.dotnet.invokeMethodAsync('RefreshTags').catch(() => {}), { signal });
  // A link to another view of this trace keeps the reading position (Blazor scrolls to the top on a new path).
  root.addEventListener('click', (event) => {
    const link = event.target.closest?.('a[href]');
    if (link && sameTrace(link.getAttribute('href'))) {
      keepScroll();
    }
  }, { capture: true, signal });
  // A click chooses the sentence itself: keys move on from it, not from a pending key press.
  // A click on a sentence selects it (its link navigates) before the list has rendered the new selection, so a key
  // pressed right after moves on from the clicked sentence; a click elsewhere forgets any pending key selection.
  root.addEventListener('pointerdown', event => {
    page.requested = sentenceOf(event.target);
    page.requestedAt = performance.now();
  }, { signal });
  list?.addEventListener('mouseover', (event) => hoverPoint(sentenceOf(event.target)), { signal });
  list?.addEventListener('mouseleave', () => hoverPoint(null), { signal });
  guardScroll();
  followAddress();
  window.addEventListener('popstate', rebaseChart, { signal });

  page.observer = new MutationObserver(() => {
    rebaseChart();
    bindChart();
    followSelection();
    typeset();
  });
  page.observer.observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-selected'] });
  bindChart();
  followSelection();
  typeset();
  loadQueue();
  pump();
  // The keys are live from here on.
  root.dataset.keys = 'ready';
}

export function detach() {
  if (!page) {
    return;
  }
  page.controller.abort();
  page.observer?.disconnect();
  page = null;
  // What is still waiting is left in the outbox to the next page (or this tab's sender of orphaned presses).
  clearTimeout(tag.timer);
  tag.queue = [];
  tag.move = null;
  tag.stopBeat?.();
  tag.stopBeat = null;
}

/** The next scroll-to-top that follows a navigation is skipped: the page stays where the reader is. */
export function keepScroll() {
  if (page) {
    page.keepScrollUntil = performance.now() + 2000;
  }
}

/** Scrolls sentence k into view: 'center' when it is out of view (a deep link), 'nearest' for the keys. Focus follows for the keys. */
export function reveal(k, mode, focus) {
  const sentence = document.getElementById(`s-${k}`);
  if (!sentence) {
    return false;
  }
  if (mode === 'center') {
    if (!inView(sentence)) {
      // On a phone the detail sheet covers the lower part of the screen: the sentence goes to the top instead.
      sentence.scrollIntoView({ block: sheetIsFixed() ? 'start' : 'center' });
    }
  } else {
    sentence.scrollIntoView({ block: 'nearest' });
  }
  if (focus) {
    sentence.focus({ preventScroll: true });
  }
  return true;
}

export function focusDetail() {
  const detail = document.getElementById('sentence-detail-article');
  detail?.focus({ preventScroll: false });
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Without clipboard permission: a selected hidden field and the older copy command.
    const field = document.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.style.position = 'fixed';
    field.style.opacity = '0';
    document.body.appendChild(field);
    field.select();
    const copied = document.execCommand('copy');
    field.remove();
    return copied;
  }
}

const QUEUE_KEYS = ['b', 's', 'd', '.'];

function onKey(event) {
  if (!page || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || typing(event.target)
      || document.querySelector('.mud-dialog-container')) {
    return;
  }
  const inList = page.list?.contains(event.target);
  if (event.key === '?') {
    event.preventDefault();
    page.dotnet.invokeMethodAsync('ShowShortcuts');
    return;
  }
  // In a tagging queue: b back, s skip, d done and on, . next. The key goes to the page itself, not as a click on the
  // queue bar's button (which is not there until the bar has read its place, and ignores clicks while disabled).
  if (QUEUE_KEYS.includes(event.key) && !event.shiftKey && document.querySelector('[data-testid=queue-bar]')) {
    event.preventDefault();
    queueMove(event.key);
    return;
  }
  if (event.key === 't' && !event.shiftKey) {
    event.preventDefault();
    page.dotnet.invokeMethodAsync('ToggleTagging');
    return;
  }
  if (event.key === 'Escape' && event.target.closest?.('#sentence-detail-article')) {
    event.preventDefault();
    focusSelected();
    return;
  }
  if (event.key === 'Enter' && inList) {
    event.preventDefault();
    page.dotnet.invokeMethodAsync('OpenDetail');
    return;
  }
  // A key pressed before the last one's selection has rendered moves on from where that one went.
  const pending = page.requested !== null && performance.now() - page.requestedAt < 2000 ? String(page.requested) : null;
  const current = pending ?? page.list?.dataset.selected;
  if (tagging() !== null && onTagKey(event, current, inList)) {
    return;
  }
  if (!event.shiftKey) {
    clearRange();
  }
  const step = { j: 1, k: -1 }[event.key] ?? (inList ? { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key] : undefined);
  const count = page.list ? page.list.querySelectorAll('.sentence').length : 0;
  let to;
  if (step) {
    const from = Number(current ?? (inList ? sentenceOf(event.target) : -1) ?? -1);
    to = Math.min(count - 1, Math.max(0, (Number.isFinite(from) ? from : -1) + step));
  } else if (inList && (event.key === 'Home' || event.key === 'End')) {
    to = event.key === 'Home' ? 0 : count - 1;
  }
  if (to === undefined || count === 0) {
    return;
  }
  event.preventDefault();
  const target = document.getElementById(`s-${to}`);
  target?.focus({ preventScroll: true });
  target?.scrollIntoView({ block: 'nearest' });
  if (String(to) !== current) {
    keepScroll();
    page.requested = to;
    page.requestedAt = performance.now();
    page.dotnet.invokeMethodAsync('SelectFromKeys', to);
  }
}

// ---- the tagging workbench ----

const tag = { queue: [], busy: false, attempts: 0, timer: null, range: null, owner: null, holder: null, stopBeat: null, move: null };

function tagging() {
  const id = page?.root.dataset.tagging;
  return id ? Number(id) : null;
}

function mayTag() {
  return page?.root.dataset.mayTag === 'true';
}

/** Keys of the workbench; true when the key was one. */
function onTagKey(event, current, inList) {
  const extend = event.shiftKey ? ({ J: 1, K: -1 }[event.key] ?? (inList ? { ArrowDown: 1, ArrowUp: -1 }[event.key] : undefined)) : undefined;
  if (extend) {
    event.preventDefault();
    extendRange(Number(current ?? 0), extend);
    return true;
  }
  if (!mayTag() || current == null) {
    return false;
  }
  const [from, to] = selection(Number(current));
  if (/^[1-9]$/.test(event.key)) {
    event.preventDefault();
    enqueue({ kind: 'toggle', taxonomyId: tagging(), key: Number(event.key), from, to });
    return true;
  }
  if (event.key === 'u') {
    event.preventDefault();
    enqueue({ kind: 'undo', taxonomyId: tagging(), key: 0, from: -1, to: -1 });
    return true;
  }
  if (event.key === 'n') {
    event.preventDefault();
    page.dotnet.invokeMethodAsync('OpenNote', Number(current));
    return true;
  }
  return false;
}

/** The sentences a key tags: the range Shift+arrows made, or the selected sentence. */
function selection(current) {
  const range = tag.range;
  return range ? [Math.min(range.anchor, range.end), Math.max(range.anchor, range.end)] : [current, current];
}

function extendRange(current, step) {
  const count = page.list ? page.list.querySelectorAll('.sentence').length : 0;
  tag.range ??= { anchor: current, end: current };
  tag.range.end = Math.min(count - 1, Math.max(0, tag.range.end + step));
  markRange();
  const end = document.getElementById(`s-${tag.range.end}`);
  end?.focus({ preventScroll: true });
  end?.scrollIntoView({ block: 'nearest' });
}

function markRange() {
  for (const sentence of page?.list?.querySelectorAll('.sentence[data-in-range]') ?? []) {
    sentence.removeAttribute('data-in-range');
  }
  if (!tag.range) {
    return;
  }
  const [from, to] = selection(tag.range.anchor);
  for (let k = from; k <= to; k++) {
    document.getElementById(`s-${k}`)?.setAttribute('data-in-range', 'true');
  }
}

function clearRange() {
  if (tag.range) {
    tag.range = null;
    markRange();
  }
}

function newId() {
  if (crypto.randomUUID) {
    return crypto.randomUUID();
  }
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function enqueue(item) {
  const press = { ...item, id: newId(), traceId: Number(page.root.dataset.traceId), tagId: item.tagId ?? null, note: item.note ?? null, owner: tag.owner };
  tag.queue.push(press);
  outbox.put(tag.owner, tag.holder, press);
  showQueue();
  pump();
}

/** This page holds the presses it queues (a heartbeat says it lives); those of a page gone are sent by the outbox's sender. */
function loadQueue() {
  tag.owner = page.root.dataset.tagOwner ?? '';
  tag.holder = outbox.newHolder();
  tag.stopBeat?.();
  tag.stopBeat = outbox.beat(tag.holder);
  showQueue();
}

/** Shows what waits to be sent: a dashed mark on its sentences and a count in the panel. */
function showQueue(problem) {
  if (!page) {
    return;
  }
  for (const sentence of page.list?.querySelectorAll('.sentence[data-queued]') ?? []) {
    sentence.removeAttribute('data-queued');
  }
  for (const item of tag.queue) {
    for (let k = Math.min(item.from, item.to); k >= 0 && k <= Math.max(item.from, item.to); k++) {
      document.getElementById(`s-${k}`)?.setAttribute('data-queued', 'true');
    }
  }
  page.root.dataset.tagQueue = String(tag.queue.length);
  const label = page.root.querySelector('[data-testid="tag-queue"]');
  if (label) {
    label.textContent = tag.queue.length === 0 ? '' : `${tag.queue.length} change${tag.queue.length === 1 ? '' : 's'} waiting${problem ? ` (${problem})` : ''}`;
  }
}

function answerWithin(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer')), ms); });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Sends the oldest waiting key press; the next goes only once this one is saved or refused. */
async function pump() {
  if (!page || tag.busy || tag.queue.length === 0) {
    return;
  }
  clearTimeout(tag.timer);
  tag.busy = true;
  const item = tag.queue[0];
  let result;
  try {
    result = await answerWithin(page.dotnet.invokeMethodAsync('TagKey', item), 8000);
  } catch {
    result = { outcome: 'failed', message: 'no connection' };
  }
  tag.busy = false;
  if (!page) {
    return;
  }
  if (!result || result.outcome === 'failed') {
    tag.attempts++;
    const delay = Math.min(2000, 100 * 2 ** tag.attempts);
    showQueue(`${result?.message ?? 'not saved'}; trying again`);
    tag.timer = setTimeout(pump, delay);
    return;
  }
  tag.attempts = 0;
  if (tag.queue[0]?.id === item.id) {
    tag.queue.shift();
  }
  // Saved, or refused and said so on this page: nothing is left to send.
  outbox.remove(tag.owner, item.id);
  showQueue();
  pump();
  sendMove();
}

/**
 * A queue key (b, s, d or .): sent once every key press before it is saved, so the page does not leave the item (or
 * its trace, whose presses would then be refused) with changes still waiting. A later queue key replaces one waiting.
 */
function queueMove(key) {
  tag.move = key;
  sendMove();
}

function sendMove() {
  if (!page || tag.move === null || tag.queue.length > 0) {
    return;
  }
  const key = tag.move;
  tag.move = null;
  page.dotnet.invokeMethodAsync('QueueKey', key).catch(() => {});
}

export function focusNote() {
  const text = document.getElementById('tag-note-text');
  if (text) {
    text.focus();
    text.setSelectionRange(text.value.length, text.value.length);
  } else {
    page?.root.querySelector('[data-testid="tag-note"] button')?.focus();
  }
}

function onNoteKey(event) {
  if (!event.target.closest?.('[data-testid="tag-note"]')) {
    return;
  }
  if (event.key === 'Enter' && !event.shiftKey && event.target.id === 'tag-note-text') {
    event.preventDefault();
    saveNote();
  } else if (event.key === 'Escape') {
    event.preventDefault();
    page.dotnet.invokeMethodAsync('CloseNote');
    focusSelected();
  }
}

function saveNote() {
  const editor = page?.root.querySelector('[data-testid="tag-note"]');
  const text = document.getElementById('tag-note-text');
  const choice = document.getElementById('tag-note-tag');
  if (!editor || !text || !choice) {
    return;
  }
  const index = Number(editor.dataset.index);
  enqueue({ kind: 'note', taxonomyId: tagging(), key: 0, from: index, to: index, tagId: Number(choice.value), note: text.value });
  page.dotnet.invokeMethodAsync('CloseNote');
  focusSelected();
}

function focusSelected() {
  const k = page?.list?.dataset.selected;
  const sentence = k ? document.getElementById(`s-${k}`) : page?.list?.querySelector('.sentence');
  sentence?.focus();
}

function sentenceOf(target) {
  const sentence = target?.closest?.('.sentence');
  return sentence ? Number(sentence.dataset.index) : null;
}

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function sheetIsFixed() {
  const sheet = document.querySelector('.side-detail');
  return !!sheet && getComputedStyle(sheet).position === 'fixed';
}

function inView(element) {
  const box = element.getBoundingClientRect();
  const bottom = sheetIsFixed() ? document.querySelector('.side-detail').getBoundingClientRect().top : innerHeight;
  return box.top >= 64 && box.bottom <= bottom;
}

function sameTrace(href) {
  if (!page || !href) {
    return false;
  }
  const url = new URL(href, location.href);
  const id = page.root.dataset.traceId;
  return url.origin === location.origin && (url.pathname === `/traces/${id}` || url.pathname.startsWith(`/traces/${id}/sentences/`));
}

// Blazor scrolls to the top after navigating to another path; between views of one trace the reader keeps their place.
function guardScroll() {
  if (window.__tvScrollGuard) {
    return;
  }
  const original = window.scrollTo.bind(window);
  window.scrollTo = (...args) => {
    const top = args.length === 2 ? args[1] : args[0]?.top;
    if (page && top === 0 && performance.now() < page.keepScrollUntil) {
      page.keepScrollUntil = 0;
      return;
    }
    original(...args);
  };
  window.__tvScrollGuard = true;
}

// With a <base> element plotly.js writes its clip paths as url('<page address>#id'). Once the address changes (a new
// sentence), those point at another document, which the browser then fetches as an image: a whole page render each
// time. So the chart's references follow the address.
function followAddress() {
  if (history.__tvFollowed) {
    return;
  }
  for (const name of ['pushState', 'replaceState']) {
    const original = history[name].bind(history);
    history[name] = (...args) => {
      const result = original(...args);
      rebaseChart();
      return result;
    };
  }
  history.__tvFollowed = true;
}

function rebaseChart() {
  const gd = chartElement();
  const context = gd?._context;
  const base = location.href.split('#')[0];
  if (!context?._baseUrl || context._baseUrl === base) {
    return;
  }
  const old = context._baseUrl;
  context._baseUrl = base;
  for (const element of gd.querySelectorAll('[clip-path], [style*="url("], [fill^="url("], [mask]')) {
    for (const name of ['clip-path', 'style', 'fill', 'mask']) {
      const value = element.getAttribute(name);
      if (value && value.includes(old)) {
        element.setAttribute(name, value.split(old).join(base));
      }
    }
  }
}

// ---- hover between sentences and the curve ----

function chartElement() {
  return page?.root.querySelector('#curve-chart .js-plotly-plot') ?? null;
}

function bindChart() {
  const gd = chartElement();
  if (!gd || gd === page.chart || typeof gd.on !== 'function') {
    return;
  }
  page.chart = gd;
  gd.on('plotly_hover', (event) => hoverSentence(event.points?.[0]?.x));
  gd.on('plotly_unhover', () => hoverSentence(null));
  gd.dataset.linked = 'true';
}

// The dotted line at the selected sentence moves with the selection. The chart redraws from the circuit only when its
// data changes (another outcome or effect); a selection moves the one shape here instead of sending the figure again.
function followSelection() {
  const gd = chartElement();
  const k = Number(gd?.closest('#curve-chart')?.dataset.selected);
  const shape = gd?.layout?.shapes?.[0];
  if (!shape || !window.Plotly || !Number.isFinite(k) || (shape.x0 === k && shape.x1 === k)) {
    return;
  }
  window.Plotly.relayout(gd, { 'shapes[0].x0': k, 'shapes[0].x1': k });
}

function hoverSentence(k) {
  page?.hovered?.removeAttribute('data-hover');
  const sentence = Number.isInteger(k) && k >= 0 ? document.getElementById(`s-${k}`) : null;
  sentence?.setAttribute('data-hover', 'true');
  if (page) {
    page.hovered = sentence;
  }
}

function hoverPoint(k) {
  const gd = chartElement();
  const Fx = window.Plotly?.Fx;
  if (!gd || !Fx || !gd.data) {
    return;
  }
  const curve = Number(gd.closest('#curve-chart')?.dataset.line);
  const xs = gd.data[curve]?.x;
  const point = k == null || !xs ? -1 : Array.from(xs).indexOf(k);
  if (point < 0) {
    Fx.unhover(gd);
  } else {
    Fx.hover(gd, [{ curveNumber: curve, pointNumber: point }]);
  }
}

// ---- LaTeX ----

let katexLoading = null;

function loadKatex() {
  if (!katexLoading) {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/lib/katex/katex.min.css';
    document.head.appendChild(css);
    // The UMD build sets window.katex when imported as a module.
    katexLoading = import('/lib/katex/katex.min.js').then(() => window.katex);
  }
  return katexLoading;
}

/** Typesets every math span not yet typeset: KaTeX builds the formula from its TeX, with trust off and errors shown as text. */
function typeset() {
  const pending = page?.root.querySelectorAll('.tv-math:not([data-typeset])');
  if (!pending || pending.length === 0) {
    return;
  }
  loadKatex().then((katex) => {
    for (const span of pending) {
      if (span.hasAttribute('data-typeset') || !span.isConnected) {
        continue;
      }
      const output = document.createElement('span');
      output.className = 'tv-math-out';
      try {
        katex.render(span.dataset.tex ?? '', output, {
          displayMode: span.dataset.display === 'true', throwOnError: false, trust: false, strict: 'ignore', maxSize: 20, maxExpand: 200,
        });
        span.appendChild(output);
        span.setAttribute('data-typeset', 'true');
      } catch {
        span.setAttribute('data-typeset', 'failed');
      }
    }
  });
}
