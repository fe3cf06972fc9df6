// The trace page: draws the per-prefix outcome curve and keeps the sentences, the chart and the detail panel in step.
import { escapeText } from './text.js';
const COLORS = { promotes: 'rgb(234,118,0)', suppresses: 'rgb(124,58,237)', none: 'rgb(160,160,160)', uncertain: 'rgb(214,214,214)' };
const LINE_COLORS = ['#334155', '#0f766e', '#b45309', '#1d4ed8', '#be123c'];

const chart = document.getElementById('curve-chart');
const dataElement = document.getElementById('trace-data');
const sentences = document.getElementById('sentences');
const detail = document.getElementById('sentence-detail');

if (chart && dataElement && sentences && detail) {
  start(JSON.parse(dataElement.textContent));
}

function start(data) {
  const traceId = data.traceId;
  const sentenceCount = sentences.querySelectorAll('.sentence').length;
  const placeholder = data.selected == null ? detail.innerHTML : '';
  let selected = data.selected ?? null;
  let hoveredSentence = null;

  let { traces, lineCurve } = buildTraces(data);
  let pointIndex = indexPoints(traces, lineCurve);

  Plotly.newPlot(chart, traces, layout(data.sentenceCount, selected), { displayModeBar: false, responsive: true })
    .then(() => {
      chart.on('plotly_hover', (event) => hoverSentence(event.points[0]?.x));
      chart.on('plotly_unhover', () => hoverSentence(null));
      chart.on('plotly_click', (event) => {
        const k = event.points[0]?.x;
        if (k >= 0) {
          select(k, { push: true, scroll: true });
        }
      });
      chart.dataset.ready = 'true';
    });

  absolutiseLinks();
  if (selected != null) {
    scrollToSentence(document.getElementById(`s-${selected}`), true);
  }

  sentences.addEventListener('click', (event) => {
    const sentence = event.target.closest('.sentence');
    if (sentence) {
      select(Number(sentence.dataset.index), { push: true, scroll: false });
    }
  });
  sentences.addEventListener('mouseover', (event) => {
    const sentence = event.target.closest('.sentence');
    if (sentence) {
      hoverPoint(Number(sentence.dataset.index));
    }
  });
  sentences.addEventListener('mouseleave', () => hoverPoint(null));

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) {
      return;
    }

    const focused = event.target.closest?.('.sentence');
    if ((event.key === 'Enter' || event.key === ' ') && focused) {
      event.preventDefault();
      select(Number(focused.dataset.index), { push: true, scroll: false });
      return;
    }

    const step = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1 }[event.key];
    if (!step || sentenceCount === 0) {
      return;
    }

    event.preventDefault();
    const from = selected ?? (focused ? Number(focused.dataset.index) : -1);
    const to = Math.min(sentenceCount - 1, Math.max(0, from + step));
    if (to !== selected) {
      select(to, { push: true, scroll: true });
    }
  });

  window.addEventListener('popstate', () => {
    const match = location.pathname.match(/\/sentences\/(\d+)$/);
    if (match) {
      select(Number(match[1]), { push: false, scroll: true });
    } else {
      clearSelection();
    }
  });

  detail.addEventListener('click', (event) => {
    const button = event.target.closest('[data-copy-link]');
    if (button) {
      copyLink(button);
    }
  });
  // The jobs panel raises this when a job's results have changed the trace's metrics: redraw the curve from them.
  let refreshing = null;
  document.body.addEventListener('trace-metrics-changed', () => {
    refreshing ??= refreshChart().finally(() => { refreshing = null; });
  });

  // One fetch of the page as it renders now: the curve from its embedded chart data, then the sentences' tints,
  // the resample count and the provenance panel, keeping selection and focus.
  async function refreshChart() {
    const response = await fetch(location.pathname + location.search, { headers: { Accept: 'text/html' } });
    if (!response.ok) {
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = JSON.parse(page.getElementById('trace-data').textContent);
    data = { ...fresh, selected };
    ({ traces, lineCurve } = buildTraces(data));
    pointIndex = indexPoints(traces, lineCurve);
    await Plotly.react(chart, traces, layout(data.sentenceCount, selected));
    const caption = chart.parentElement.querySelector('.chart-caption');
    if (caption && fresh.caption) {
      caption.textContent = fresh.caption;
    }
    adoptSentences(page);
    chart.dataset.refreshes = String(Number(chart.dataset.refreshes ?? 0) + 1);
  }

  function adoptSentences(page) {
    for (const fresh of page.querySelectorAll('#sentences .sentence')) {
      const current = document.getElementById(fresh.id);
      for (const name of ['data-direction', 'data-uncertain', 'data-differs', 'title', 'style']) {
        const value = fresh.getAttribute(name);
        if (!current) {
          break;
        } else if (value == null) {
          current.removeAttribute(name);
        } else {
          current.setAttribute(name, value);
        }
      }
    }
    const count = document.querySelector('[data-field=resample-count]');
    const freshCount = page.querySelector('[data-field=resample-count]');
    if (count && freshCount) {
      count.textContent = freshCount.textContent;
    }
    const panel = document.querySelector('.provenance-panel');
    const freshPanel = page.querySelector('.provenance-panel');
    if (panel && freshPanel) {
      const adopted = document.importNode(freshPanel, true);
      panel.replaceWith(adopted);
      window.htmx?.process(adopted);
    }
  }

  document.body.addEventListener('htmx:afterSwap', (event) => {
    if (event.target === detail) {
      absolutiseLinks();
    }
  });

  function select(k, { push, scroll }) {
    const sentence = document.getElementById(`s-${k}`);
    if (!sentence) {
      return;
    }

    markSentence(sentence);
    if (scroll) {
      scrollToSentence(sentence, false);
    }
    sentence.focus({ preventScroll: true });
    selected = k;
    // The query keeps the threshold, so the detail shows the same numbers as the page.
    htmx.ajax('GET', `/traces/${traceId}/sentences/${k}/detail${location.search}`, { target: '#sentence-detail', swap: 'innerHTML' });
    Plotly.relayout(chart, { shapes: selectionShapes(k) });
    if (push) {
      history.pushState({ k }, '', `/traces/${traceId}/sentences/${k}${location.search}`);
    }
  }

  function clearSelection() {
    markSentence(null);
    selected = null;
    detail.innerHTML = placeholder;
    Plotly.relayout(chart, { shapes: [] });
  }

  function markSentence(sentence) {
    for (const previous of sentences.querySelectorAll('.sentence.selected')) {
      previous.classList.remove('selected');
      previous.removeAttribute('aria-current');
    }
    if (sentence) {
      sentence.classList.add('selected');
      sentence.setAttribute('aria-current', 'true');
    }
  }

  function hoverSentence(k) {
    hoveredSentence?.classList.remove('hovered');
    hoveredSentence = k >= 0 ? document.getElementById(`s-${k}`) : null;
    hoveredSentence?.classList.add('hovered');
  }

  function hoverPoint(k) {
    const point = k == null ? undefined : pointIndex.get(k);
    if (point === undefined) {
      Plotly.Fx.unhover(chart);
    } else {
      Plotly.Fx.hover(chart, [{ curveNumber: lineCurve, pointNumber: point }]);
    }
  }
}

function indexPoints(traces, lineCurve) {
  return new Map((traces[lineCurve]?.x ?? []).map((x, i) => [x, i]));
}

// One filled Wilson band and one line per outcome; all markers carry the selected outcome's sentence directions.
function buildTraces(data) {
  const traces = [];
  const lines = [];
  const selectedIndex = Math.max(0, data.outcomes.findIndex((o) => o.key === data.selectedOutcome));
  const selectedOutcome = data.outcomes[selectedIndex];
  data.outcomes.forEach((outcome, i) => {
    const color = LINE_COLORS[i % LINE_COLORS.length];
    const isSelected = i === selectedIndex;
    const points = outcome.points;
    const banded = points.filter((p) => p.low != null && p.high != null);
    if (banded.length > 0) {
      traces.push({
        x: [...banded.map((p) => p.x), ...banded.map((p) => p.x).reverse()],
        y: [...banded.map((p) => p.high), ...banded.map((p) => p.low).reverse()],
        // Without an explicit mode plotly draws markers on short traces, which would read as data points.
        mode: 'lines',
        fill: 'toself',
        fillcolor: hexToRgba(color, isSelected ? 0.14 : 0.07),
        line: { width: 0 },
        hoverinfo: 'skip',
        showlegend: false,
        type: 'scatter',
      });
    }
    lines.push({ outcome, color, isSelected });
  });

  let lineCurve = 0;
  for (const { outcome, color, isSelected } of lines) {
    const points = outcome.points;
    if (isSelected) {
      lineCurve = traces.length;
    }
    traces.push({
      type: 'scatter',
      mode: 'lines+markers',
      name: escapeText(outcome.name),
      x: points.map((p) => p.x),
      y: points.map((p) => p.y),
      text: points.map((p) => (p.x < 0 ? 'before any sentence' : `with sentences 0–${p.x}`)),
      customdata: points.map((p) => [p.low ?? NaN, p.high ?? NaN, p.n ?? '?']),
      hovertemplate: '%{text}<br>rate %{y:.3f} [%{customdata[0]:.3f}, %{customdata[1]:.3f}]<br>n = %{customdata[2]}<extra>%{fullData.name}</extra>',
      line: { color, width: isSelected ? 2 : 1.5, dash: isSelected ? 'solid' : 'dot', shape: 'linear' },
      marker: {
        size: isSelected ? 8 : 5,
        // Every curve's points take the selected outcome's directions, so the lines read against one colouring.
        color: points.map((p) => pointColor(selectedOutcome, p.x)),
        line: { width: 1, color: isSelected ? 'white' : color },
      },
    });
  }
  return { traces, lineCurve };
}

// Colour of the point whose prefix ends with sentence x: that sentence's direction for the selected effect, grey when unsure.
function pointColor(outcome, x) {
  if (x < 0) {
    return COLORS.none;
  }
  return outcome.uncertain?.[x] ? COLORS.uncertain : COLORS[outcome.directions[x] ?? 'none'];
}

function layout(sentenceCount, selected) {
  return {
    height: 300,
    margin: { l: 48, r: 12, t: 28, b: 40 },
    font: { family: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', size: 12, color: '#374151' },
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    hovermode: 'closest',
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom', font: { size: 12 } },
    xaxis: {
      title: { text: 'prefix ends with sentence k', font: { size: 11 } },
      range: [-1.5, Math.max(sentenceCount - 0.5, 0.5)],
      zeroline: false,
      gridcolor: '#eef0f3',
    },
    yaxis: { title: { text: 'rate', font: { size: 11 } }, range: [-0.02, 1.02], tickformat: '.0%', gridcolor: '#eef0f3', zeroline: false },
    shapes: selected == null ? [] : selectionShapes(selected),
  };
}

function selectionShapes(k) {
  return [{
    type: 'line', x0: k, x1: k, yref: 'paper', y0: 0, y1: 1,
    line: { color: 'rgba(17,24,39,0.55)', width: 1.5, dash: 'dot' },
  }];
}

// Scrolls the reasoning pane only, so the header and the chart stay where they are.
function scrollToSentence(sentence, center) {
  if (!sentence) {
    return;
  }
  const pane = sentence.closest('.reasoning-pane');
  if (!pane || pane.scrollHeight <= pane.clientHeight) {
    sentence.scrollIntoView({ block: center ? 'center' : 'nearest' });
    return;
  }
  const paneBox = pane.getBoundingClientRect();
  const box = sentence.getBoundingClientRect();
  const top = paneBox.top + (pane.querySelector('.reasoning-toolbar')?.offsetHeight ?? 0) + 8;
  if (center) {
    pane.scrollTop += box.top - top - (paneBox.bottom - top - box.height) / 2;
  } else if (box.top < top) {
    pane.scrollTop += box.top - top;
  } else if (box.bottom > paneBox.bottom - 8) {
    pane.scrollTop += box.bottom - paneBox.bottom + 8;
  }
}

function absolutiseLinks() {
  for (const input of detail.querySelectorAll('.deep-link input')) {
    input.value = new URL(input.value, location.origin).href;
  }
}

async function copyLink(button) {
  const url = new URL(button.dataset.copyLink, location.origin).href;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    const input = button.parentElement.querySelector('input');
    input?.select();
    document.execCommand('copy');
  }
  const label = button.textContent;
  button.textContent = 'Copied';
  setTimeout(() => { button.textContent = label; }, 1500);
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

// Plotly reads a few tags in labels; names come from imported files, so show them as text.

function hexToRgba(hex, alpha) {
  const value = parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255},${(value >> 8) & 255},${value & 255},${alpha})`;
}
