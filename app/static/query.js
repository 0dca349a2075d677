// YASGUI against this server's /sparql, with the architects' questions as ready examples.
(function () {
  const holder = document.getElementById("yasgui");
  if (!holder || typeof Yasgui === "undefined") return;
  const form = document.querySelector(".plain-query");
  if (form) form.hidden = true;
  const yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: holder.dataset.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
  });
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      const tab = yasgui.getTab();
      tab.setQuery(button.dataset.query);
      tab.query();
    });
  });
})();
