// Page behaviour is loaded per page from small modules; see trace-page.js.
// Every htmx request that changes state carries the antiforgery token the layout renders.
const token = document.querySelector('meta[name="antiforgery-token"]')?.content;
document.body.addEventListener('htmx:configRequest', (event) => {
  if (token && event.detail.verb !== 'get') {
    event.detail.headers.RequestVerificationToken = token;
  }
});
