// Grouped bars of compliance and alignment-faking rates per prompt variant and tier, with Wilson error bars.
// Free tier solid, paid tier hatched; clicking a bar lists its traces below the chart.
import { escapeText } from './text.js';

const chart = document.getElementById('study-chart');
const data = JSON.parse(document.getElementById('study-data').textContent);

const colours = { compliance: 'rgb(234,118,0)', alignmentFaking: 'rgb(124,58,237)' };
const names = { compliance: 'Compliance', alignmentFaking: 'Alignment faking' };
const tiers = [...new Set(data.groups.map(g => g.tier))];

const traces = [];
for (const outcome of ['compliance', 'alignmentFaking']) {
  for (const tier of tiers) {
    const groups = data.groups.filter(g => g.tier === tier);
    traces.push({
      type: 'bar',
      name: `${names[outcome]} · ${escapeText(tier)}`,
      x: groups.map(g => escapeText(g.variant)),
      y: groups.map(g => g[outcome].rate),
      // Raw names for the click, escaped ones for display: plotly renders a subset of HTML in labels.
      customdata: groups.map(g => [g.variant, g.tier, g[outcome].k, g[outcome].n, escapeText(g.variant), escapeText(g.tier)]),
      error_y: {
        type: 'data',
        symmetric: false,
        array: groups.map(g => g[outcome].rate === null ? 0 : g[outcome].high - g[outcome].rate),
        arrayminus: groups.map(g => g[outcome].rate === null ? 0 : g[outcome].rate - g[outcome].low),
        color: '#444',
        thickness: 1.2,
      },
      marker: {
        color: tier === 'paid' ? 'rgba(255,255,255,0.9)' : colours[outcome],
        line: { color: colours[outcome], width: 1.5 },
        pattern: tier === 'paid' ? { shape: '/', fgcolor: colours[outcome], size: 6, solidity: 0.35 } : undefined,
      },
      hovertemplate: '%{customdata[4]} · %{customdata[5]}<br>%{y:.1%} (%{customdata[2]} of %{customdata[3]})<extra>' + names[outcome] + '</extra>',
    });
  }
}

Plotly.newPlot(chart, traces, {
  barmode: 'group',
  margin: { t: 10, r: 10, b: 40, l: 50 },
  yaxis: { title: { text: 'rate' }, tickformat: '.0%', range: [0, 1] },
  legend: { orientation: 'h', y: -0.15 },
}, { displaylogo: false, responsive: true }).then(() => {
  chart.dataset.ready = 'true';
  chart.on('plotly_click', event => {
    const [variant, tier] = event.points[0].customdata;
    const query = new URLSearchParams({ variant, tier });
    htmx.ajax('GET', `/datasets/${data.dataset}/study/traces?${query}`, { target: '#study-traces', swap: 'outerHTML' });
  });
});
