// The trace page's browser work that Blazor has no API for: keys in the sentence list, scrolling a sentence into view,
// hovering between sentences and curve points (Plotly.Fx), the clipboard, and typesetting LaTeX with KaTeX.
// Everything here reads or decorates the page; selecting a sentence is always an address change made by the page.

let page = null;

export function attach(root, dotnet) {
  detach();
  const list = root.querySelector('#sentences');
  const controller = new AbortController();
  const { signal } = controller;
  page = { root, list, dotnet, controller, requested: null, requestedAt: 0, keepScrollUntil: 0, hovered: null, chart: null, observer: null };

  document.addEventListener('keydown', onKey, { signal });
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
}

export function detach() {
  if (!page) {
    return;
  }
  page.controller.abort();
  page.observer?.disconnect();
  page = null;
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
