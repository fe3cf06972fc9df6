// Draws the charts of a prerendered page before its circuit connects. A chart rendered with an id carries its figure
// in data-figure (JSON in an attribute: the Content-Security-Policy allows no inline script). This module loads
// plotly.js through Plotly.Blazor's own interop module and script element, so the bundle is fetched and run once and
// Plotly.Blazor finds it loaded. When the circuit renders the page again, the drawn plot moves into the new chart box
// under the same id, and Plotly.Blazor's first draw of that id becomes a Plotly.react of the same figure: plotly compares
// it with what is drawn instead of drawing again from nothing. Included by Chart.razor while prerendering only.

const drawn = new Map();
let watching = false;

function figureOf(box) {
  try {
    return JSON.parse(box.dataset.figure);
  } catch {
    return null;
  }
}

async function drawAll() {
  const boxes = [...document.querySelectorAll('.tv-chart[data-figure][data-plot]')];
  const first = boxes.map(figureOf).find(f => f);
  if (!first) {
    return;
  }
  // Blazor's import resolves './' against the document's base address; the same address gives the same module.
  const interop = await import(new URL(first.interop.replace(/^\.\//, ''), document.baseURI).href);
  await interop.importScript('plotly-import', first.bundle);
  const Plotly = window.Plotly;
  if (!Plotly) {
    return;
  }
  takeOverNewPlot(Plotly);
  for (const box of boxes) {
    const figure = figureOf(box);
    const gd = document.getElementById(box.dataset.plot);
    // The circuit may have rendered the page already: then Plotly.Blazor draws it.
    if (!figure || !gd || !gd.isConnected || !box.contains(gd) || gd.classList.contains('js-plotly-plot')) {
      continue;
    }
    await Plotly.newPlot(gd, figure.data, figure.layout, figure.config);
    gd.dataset.predrawn = 'true';
    drawn.set(gd.id, gd);
  }
  if (drawn.size > 0) {
    performance.mark('tv-chart-drawn-before-circuit');
    document.documentElement.dataset.chartFirst = 'drawn';
    watch();
  }
}

/** Plotly.Blazor draws with newPlot; on a plot drawn here that becomes react, which redraws only what differs. */
function takeOverNewPlot(Plotly) {
  if (Plotly.__tvChartFirst) {
    return;
  }
  const newPlot = Plotly.newPlot;
  Plotly.newPlot = function (target, data, layout, config, frames) {
    const gd = typeof target === 'string' ? document.getElementById(target) : target;
    if (gd && gd.dataset.predrawn === 'true') {
      delete gd.dataset.predrawn;
      drawn.delete(gd.id);
      gd.dataset.takenOver = 'true';
      return Plotly.react(gd, data, layout, config, frames);
    }
    return newPlot.apply(this, arguments);
  };
  Plotly.__tvChartFirst = true;
}

/**
 * The circuit's first render replaces the prerendered markup, chart boxes included. The drawn plot moves into the new
 * box before the browser paints (mutation observers run before rendering), and the new empty element gives up its id.
 */
function watch() {
  if (watching) {
    return;
  }
  watching = true;
  const observer = new MutationObserver(() => {
    for (const [id, gd] of drawn) {
      const fresh = document.getElementById(id);
      if (!fresh || fresh === gd || fresh.contains(gd)) {
        continue;
      }
      fresh.removeAttribute('id');
      fresh.appendChild(gd);
    }
    if (drawn.size === 0) {
      observer.disconnect();
      watching = false;
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

drawAll();
