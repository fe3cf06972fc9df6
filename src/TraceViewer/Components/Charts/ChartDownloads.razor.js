// Saves a drawn chart as an image with plotly.js's own export (Plotly.toImage), at the size it is drawn. The PNG is
// painted here from plotly's SVG, loaded as a data: address: plotly's own PNG path loads a blob: image, which the
// Content-Security-Policy's img-src ('self' data:) does not allow.
export async function downloadImage(plotId, format, filename) {
  const gd = document.getElementById(plotId);
  const Plotly = window.Plotly;
  if (!gd || !Plotly || !gd._fullLayout) {
    return false;
  }
  const width = gd._fullLayout.width;
  const height = gd._fullLayout.height;
  const svgUrl = await Plotly.toImage(gd, { format: 'svg', width, height });
  if (format === 'svg') {
    const text = decodeURIComponent(svgUrl.slice(svgUrl.indexOf(',') + 1));
    save(new Blob([text], { type: 'image/svg+xml' }), filename + '.svg');
    return true;
  }
  const scale = 2;
  const image = new Image();
  image.decoding = 'sync';
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
    image.src = svgUrl;
  });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext('2d');
  // The page's background under the transparent chart, so the image reads the same outside the page.
  context.fillStyle = getComputedStyle(document.body).backgroundColor || '#ffffff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(image, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise(resolve => canvas.toBlob(resolve, 'image/png'));
  save(blob, filename + '.png');
  return true;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
