// TraceViewer snapshot pages: draws the charts from the page's data script (window.traceViewerSnapshot, loaded by
// <script src> so the pages also work from file://, where nothing can be fetched), and on a trace page selects the
// sentence the address names (#s-<index>): marks it, scrolls to it, draws its line on the curve and fills in its
// details. Model text only ever goes in as textContent.
(function () {
  'use strict';
  var data = window.traceViewerSnapshot;
  var Plotly = window.Plotly;
  var page = document.body.getAttribute('data-page');

  var colours = { promotes: '#EA7600', suppresses: '#7C3AED' };
  var lines = ['#1f2937', '#0f766e', '#64748b', '#0369a1'];
  var config = { responsive: true, displaylogo: false, displayModeBar: false };

  function number(v) { return typeof v === 'number' && isFinite(v) ? v.toFixed(3) : '–'; }
  function signed(v) { return typeof v === 'number' && isFinite(v) ? (v > 0 ? '+' : v < 0 ? '−' : '') + Math.abs(v).toFixed(3) : '–'; }
  function interval(e) { return e && e.low != null && e.high != null ? '[' + number(e.low) + ', ' + number(e.high) + ']' : ''; }
  function counts(e) { return e && e.count != null ? (e.successes != null ? e.successes + '/' + e.count : 'n = ' + e.count) : ''; }
  // Plotly reads a few HTML tags in names and hover text; imported names go in as text.
  function plotText(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text != null) { node.textContent = text; }
    return node;
  }
  function alpha(hex, a) {
    var v = parseInt(hex.slice(1), 16);
    return 'rgba(' + (v >> 16) + ', ' + ((v >> 8) & 255) + ', ' + (v & 255) + ', ' + a + ')';
  }

  // A figure the live page draws, as it was serialized; a click on a point calls open with the id it stands for.
  function draw(box, figure, open) {
    if (!box || !figure || !Plotly) { return null; }
    return Plotly.newPlot(box, figure.figure.data, figure.figure.layout, config).then(function () {
      box.setAttribute('data-drawn', 'true');
      box.on('plotly_click', function (e) {
        var p = e && e.points && e.points[0];
        var ids = p && figure.points[p.curveNumber];
        if (ids && p.pointNumber < ids.length) { open(ids[p.pointNumber]); }
      });
    });
  }

  // ---- study page: the live page's figures as they were serialized
  if (page === 'study' && data && Plotly) {
    var box = document.getElementById('study-chart');
    if (box && data.figure) { Plotly.newPlot(box, data.figure.data, data.figure.layout, config); }
    var included = (data.analyses && data.analyses.traces) || [];
    function openTrace(id) { if (included.indexOf(id) >= 0) { location.href = 'trace-' + id + '.html'; } }
    draw(document.getElementById('study-concentration'), data.concentration, openTrace);
    draw(document.getElementById('study-correlation'), data.correlation, openTrace);
    return;
  }
  if (page !== 'trace' || !data) { return; }

  var doc = data.document;
  var tints = {};
  data.tints.forEach(function (t) { tints[t.index] = t; });
  var sentences = {};
  data.sentences.forEach(function (s) { sentences[s.index] = s; });
  var texts = {};
  var tagsOf = {};
  doc.sentences.forEach(function (s) { texts[s.index] = s.text; tagsOf[s.index] = s.tags; });
  // Who put a tag there, in words, as the live sentence detail says it.
  function by(t) {
    return t.annotatorKind === 'Import' ? 'imported from ' + t.annotator : t.annotatorKind === 'Model' ? 'by model ' + t.annotator : 'by ' + t.annotator;
  }
  var curve = document.getElementById('curve');
  var detail = document.getElementById('detail');
  var selected = null;

  function pointColour(x) {
    var t = tints[x];
    if (x < 0 || !t) { return 'rgba(140, 140, 140, 0.6)'; }
    if (t.uncertain) { return 'rgba(140, 140, 140, 0.35)'; }
    return colours[t.direction] || 'rgba(140, 140, 140, 0.6)';
  }

  function figure() {
    var traces = [];
    var measured = doc.outcomes.filter(function (o) { return o.prefixRates.length > 0; });
    measured.forEach(function (o, i) {
      var isShown = o.key === data.shownOutcome || (!data.shownOutcome && i === 0);
      var colour = lines[isShown ? 0 : 1 + (i % (lines.length - 1))];
      // rate_i is measured without sentence i: the rate once the prefix ends with sentence i - 1.
      var points = o.prefixRates.map(function (r) { return { x: r.index - 1, r: r }; });
      var banded = points.filter(function (p) { return p.r.low != null && p.r.high != null; });
      if (banded.length > 0) {
        var bx = banded.map(function (p) { return p.x; });
        traces.push({ type: 'scatter', name: 'low', x: bx, y: banded.map(function (p) { return p.r.low; }), mode: 'lines',
          line: { width: 0, color: colour }, hoverinfo: 'skip', showlegend: false });
        traces.push({ type: 'scatter', name: 'high', x: bx, y: banded.map(function (p) { return p.r.high; }), mode: 'lines',
          line: { width: 0, color: colour }, fill: 'tonexty', fillcolor: alpha(colour, isShown ? 0.16 : 0.07), hoverinfo: 'skip', showlegend: false });
      }
      traces.push({
        type: 'scatter', name: plotText(o.name), x: points.map(function (p) { return p.x; }), y: points.map(function (p) { return p.r.value; }),
        mode: 'lines+markers',
        line: { color: colour, width: isShown ? 2 : 1.5, dash: isShown ? 'solid' : 'dot' },
        marker: isShown
          ? { size: 8, color: points.map(function (p) { return pointColour(p.x); }), line: { width: 1, color: '#ffffff' } }
          : { size: 5, color: colour },
        text: points.map(function (p) { return p.x < 0 ? 'before any sentence' : 'with sentences 0–' + p.x; }),
        customdata: points.map(function (p) { return [interval(p.r), counts(p.r)].filter(Boolean).join(' '); }),
        hovertemplate: '%{text}<br>rate %{y:.3f} %{customdata}<extra>' + plotText(o.name) + '</extra>',
        meta: 'outcome'
      });
    });
    var several = measured.length > 1;
    var layout = {
      hovermode: 'closest', showlegend: several,
      margin: { l: 44, r: 8, t: several ? 28 : 8, b: 36 },
      legend: { orientation: 'h', x: 0, y: 1.02, yanchor: 'bottom' },
      xaxis: { title: { text: 'prefix ends with sentence k' }, range: [-1.5, Math.max(doc.sentences.length - 0.5, 0.5)], zeroline: false },
      yaxis: { title: { text: 'rate' }, range: [-0.02, 1.02], tickformat: '.0%', zeroline: false },
      shapes: marker()
    };
    return { data: traces, layout: layout };
  }

  function marker() {
    return selected == null ? [] : [{ type: 'line', x0: selected, x1: selected, y0: 0, y1: 1, yref: 'paper',
      line: { color: 'rgba(17, 24, 39, 0.45)', width: 1.5, dash: 'dot' } }];
  }

  var drawn = false;
  if (curve && Plotly) {
    var f = figure();
    Plotly.newPlot(curve, f.data, f.layout, config).then(function () {
      drawn = true;
      curve.setAttribute('data-drawn', 'true');
      curve.on('plotly_click', function (e) {
        var p = e && e.points && e.points[0];
        if (p && typeof p.x === 'number' && p.x >= 0 && p.data.meta === 'outcome') { location.hash = 's-' + p.x; }
      });
      if (selected != null) { Plotly.relayout(curve, { shapes: marker() }); }
    });
  }

  // ---- analyses: the live page's scatter, drawn once its box is opened (shut until asked for)
  var analyses = document.querySelector('[data-testid="analyses"]');
  var scatter = document.getElementById('analysis-chart');
  var scatterDrawn = false;
  function drawScatter() {
    if (scatterDrawn || !scatter || !data.analysisFigure) { return; }
    scatterDrawn = true;
    var drawing = draw(scatter, data.analysisFigure, function (index) { location.hash = 's-' + index; });
    if (drawing) { drawing.then(markScatter); }
  }
  // The selected sentence's point is larger, as on the live page.
  function markScatter() {
    if (!scatterDrawn || !scatter.data || !scatter.hasAttribute('data-drawn')) { return; }
    var points = data.analysisFigure.points;
    Plotly.restyle(scatter, {
      'marker.size': points.map(function (ids) { return ids.map(function (k) { return k === selected ? 14 : 9; }); }),
      'marker.line.width': points.map(function (ids) { return ids.map(function (k) { return k === selected ? 2.5 : 1; }); })
    });
  }
  if (analyses) {
    analyses.addEventListener('toggle', function () {
      if (!analyses.open) { return; }
      if (scatterDrawn) { Plotly.Plots.resize(scatter); } else { drawScatter(); }
    });
    if (analyses.open) { drawScatter(); }
  }

  // ---- tags: which taxonomy and layer the sentences' chips show
  var tagBox = document.querySelector('[data-testid="tags"]');
  function showTags() {
    var taxonomy = tagBox.getAttribute('data-taxonomy');
    var layer = tagBox.getAttribute('data-layer');
    Array.prototype.forEach.call(document.querySelectorAll('.chips'), function (c) {
      c.hidden = layer === 'off' || c.getAttribute('data-taxonomy') !== taxonomy || c.getAttribute('data-layer') !== layer;
    });
    Array.prototype.forEach.call(tagBox.querySelectorAll('[data-tag-taxonomy]'), function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-tag-taxonomy') === taxonomy ? 'true' : 'false');
    });
    Array.prototype.forEach.call(tagBox.querySelectorAll('[data-tag-layer]'), function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-tag-layer') === layer ? 'true' : 'false');
    });
  }
  if (tagBox) {
    tagBox.addEventListener('click', function (e) {
      var button = e.target.closest('button');
      if (!button) { return; }
      if (button.hasAttribute('data-tag-taxonomy')) { tagBox.setAttribute('data-taxonomy', button.getAttribute('data-tag-taxonomy')); }
      if (button.hasAttribute('data-tag-layer')) { tagBox.setAttribute('data-layer', button.getAttribute('data-tag-layer')); }
      showTags();
    });
  }

  function row(dl, term, value) {
    if (!value) { return; }
    dl.appendChild(el('dt', null, term));
    dl.appendChild(el('dd', null, value));
  }

  function effectText(e) { return e ? [signed(e.value), interval(e), counts(e)].filter(Boolean).join(' ') : ''; }

  function fill(index) {
    detail.textContent = '';
    detail.setAttribute('data-index', String(index));
    detail.appendChild(el('h2', 'small', 'Sentence ' + index));
    detail.appendChild(el('blockquote', 'quote', texts[index]));
    var tags = tagsOf[index] || [];
    if (tags.length > 0) {
      var tagList = el('section', 'detail-tags');
      tagList.setAttribute('data-testid', 'detail-tags');
      tagList.appendChild(el('h3', null, 'Tags'));
      var ul = el('ul');
      tags.forEach(function (t) {
        var item = el('li');
        item.setAttribute('data-tag', t.tag);
        var chip = el('span', 'tag-chip', t.tag.replace(/_/g, ' '));
        chip.style.setProperty('--chip', t.colour);
        item.appendChild(chip);
        item.appendChild(el('span', 'meta', ' ' + t.taxonomy + ' · ' + by(t)));
        if (t.note) { item.appendChild(el('span', 'tag-note', t.note)); }
        ul.appendChild(item);
      });
      tagList.appendChild(ul);
      detail.appendChild(tagList);
    }
    doc.outcomes.filter(function (o) { return o.provenance; }).forEach(function (o) {
      var box = el('section', 'outcome-detail');
      box.setAttribute('data-outcome', o.key);
      box.appendChild(el('h3', null, o.name));
      var dl = el('dl');
      var effects = o.effects.filter(function (e) { return e.index === index; })[0];
      var before = o.prefixRates.filter(function (r) { return r.index === index; })[0];
      var after = o.prefixRates.filter(function (r) { return r.index === index + 1; })[0];
      if (effects) {
        var direction = effects.direction === 'promotes' ? 'promotes' : effects.direction === 'suppresses' ? 'suppresses' : 'no measurable effect';
        row(dl, 'Direction', direction + (effects.fallback ? ' (resampling effect: too few dissimilar resamples)' : ''));
        row(dl, 'Counterfactual effect', effectText(effects.counterfactualEffect));
        row(dl, 'Resampling effect', effectText(effects.resamplingEffect));
        row(dl, 'Counterfactual KL', effects.counterfactualKl != null ? number(effects.counterfactualKl) : '');
        row(dl, 'Dissimilar fraction', effects.dissimilarFraction != null ? number(effects.dissimilarFraction) : '');
      }
      row(dl, 'Rate resampled from here', before ? [number(before.value), interval(before), counts(before)].filter(Boolean).join(' ') : '');
      row(dl, 'Rate with this sentence', after ? [number(after.value), interval(after), counts(after)].filter(Boolean).join(' ') : '');
      box.appendChild(dl);
      detail.appendChild(box);
    });
    var s = sentences[index];
    if (s && s.resampleCount > 0) {
      var alt = el('section', 'alternatives');
      alt.appendChild(el('h3', null, s.resampleCount + ' resamples here; what they said instead (most frequent)'));
      var list = el('ol');
      s.alternatives.forEach(function (a) {
        var item = el('li');
        item.appendChild(el('span', 'alt-text', a.text || '(empty)'));
        var labels = (a.outcomes || []).map(function (o) { return o.name + ' ' + o.positive + '/' + (o.positive + o.negative); }).join(' · ');
        item.appendChild(el('span', 'meta', ' × ' + a.count + (a.identical ? ' (same as the original)' : '') + (labels ? ' · ' + labels : '')));
        list.appendChild(item);
      });
      alt.appendChild(list);
      detail.appendChild(alt);
    }
    var live = detail.getAttribute('data-live');
    if (live) {
      var link = el('a', 'live', 'Open this sentence in the live app');
      link.href = live + '/traces/' + doc.id + '/sentences/' + index;
      detail.appendChild(link);
    }
  }

  function select(index, scroll) {
    var target = document.getElementById('s-' + index);
    if (!target || !target.classList.contains('sentence')) { return; }
    var previous = document.querySelector('.sentence[aria-selected="true"]');
    if (previous) { previous.setAttribute('aria-selected', 'false'); }
    target.setAttribute('aria-selected', 'true');
    selected = index;
    fill(index);
    if (drawn) { Plotly.relayout(curve, { shapes: marker() }); }
    markScatter();
    if (scroll) { target.scrollIntoView({ block: 'center' }); }
  }

  function fromHash() {
    var m = /^#s-(\d+)$/.exec(location.hash);
    if (m) { select(parseInt(m[1], 10), true); }
  }

  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
