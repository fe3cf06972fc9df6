// Saves a drawn chart as an image with plotly.js's own export, at the size it is drawn (PNG at twice the pixels).
export async function downloadImage(plotId, format, filename) {
  const gd = document.getElementById(plotId);
  const Plotly = window.Plotly;
  if (!gd || !Plotly || !gd._fullLayout) {
    return false;
  }
  await Plotly.downloadImage(gd, {
    format,
    filename,
    width: gd._fullLayout.width,
    height: gd._fullLayout.height,
    scale: format === 'png' ? 2 : 1,
  });
  return true;
}
