// Untrusted text (model output, imported names) shown in plotly labels, which render a subset of HTML.
export function escapeText(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
