// A link to one sentence of a trace opens scrolled to that sentence, before the page's circuit connects: the trace page
// marks the sentence on its list (data-scroll-to) and includes this file right after it. Once live, the page keeps it in
// view itself. Centred on a laptop; at the top on a phone, where the detail sheet covers the lower part of the screen.
(function () {
  var list = document.getElementById('sentences');
  var k = list && list.getAttribute('data-scroll-to');
  var sentence = k && document.getElementById('s-' + k);
  if (!sentence || document.documentElement.hasAttribute('data-deep-linked')) {
    return;
  }
  document.documentElement.setAttribute('data-deep-linked', k);
  var sheet = document.querySelector('.side-detail');
  var fixed = sheet && getComputedStyle(sheet).position === 'fixed';
  sentence.scrollIntoView({ block: fixed ? 'start' : 'center' });
})();
