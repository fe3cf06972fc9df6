// Page behaviour is loaded per page from small modules; see trace-page.js.
