// Starts Swagger UI from a static file: TradeDeck's CSP forbids inline script.
window.addEventListener("load", () => {
  const root = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: new URL(root.dataset.docUrl, window.location.href).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
