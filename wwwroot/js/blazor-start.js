// Starts the circuit (blazor.web.js is loaded with autostart="false"). A restarted or redeployed server can be away for
// a minute, longer than the framework's default retries: keep trying every 2 s for five minutes. Once the new server
// answers and refuses the old circuit, the framework reloads the page at the same address.
Blazor.start({
  circuit: {
    reconnectionOptions: {
      maxRetries: 150,
      retryIntervalMilliseconds: 2000,
    },
  },
});
